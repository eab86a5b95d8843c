// Writes one record as JSON or as protobuf wire format into a reused buffer.
//
// Generators call one method per field, in field-number order; the same
// calls give a JSON object (field names as keys) or a proto3 message (field
// numbers from proto/streamapp/pipelines/*.proto), so both formats carry the
// same record. A hand-written wire encoder, not generated classes: it costs
// no allocation per record and can write the malformed variants on purpose.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "streamapp/generators/generator.h"

namespace streamapp::generators {

class Encoder {
 public:
  explicit Encoder(Format format) : format_(format) {}

  // Starts a record in *out (cleared, capacity kept). The field numbered
  // `omit` is left out and the one numbered `mistype` gets a value of the
  // wrong type (0: none).
  void Begin(std::string* out, int omit = 0, int mistype = 0);
  void String(int number, std::string_view name, std::string_view v);
  void Int(int number, std::string_view name, int64_t v);
  void Double(int number, std::string_view name, double v);
  // An amount in cents: "12.30" in JSON (exact), cents / 100.0 in protobuf.
  void Cents(int number, std::string_view name, int64_t cents);
  void Bool(int number, std::string_view name, bool v);
  void End();
  // Turns the finished record into bytes no decoder accepts: JSON cut short,
  // or protobuf with an invalid wire type.
  void Corrupt();

  Format format() const { return format_; }

 private:
  bool Skip(int number) const { return number == omit_; }
  void Key(std::string_view name);
  void Tag(int number, int wire_type);
  void Varint(uint64_t v);
  void Fixed64(uint64_t v);
  void Mistyped(int number, std::string_view name, bool is_string);

  Format format_;
  std::string* out_ = nullptr;
  int omit_ = 0;
  int mistype_ = 0;
  bool first_ = true;
};

// Appends `v` to *out as a JSON string (quoted, escaped).
void AppendJsonString(std::string_view v, std::string* out);
// Appends a double in the shortest form that reads back exactly, always with
// a '.' or exponent so JSON readers see a floating-point number.
void AppendDouble(double v, std::string* out);
void AppendInt(int64_t v, std::string* out);
// "12.30" for 1230.
void AppendCents(int64_t cents, std::string* out);
// Rounds to `decimals` places (so printed numbers stay short).
double RoundTo(double v, int decimals);

}  // namespace streamapp::generators
