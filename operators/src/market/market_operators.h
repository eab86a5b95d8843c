// Operators of the crypto pipeline (docs: pipelines.md, "1. Crypto market
// analytics"), registered with the built-ins (operators/builtin.cc).
#pragma once

#include "streamapp/operator_registry.h"

namespace streamapp::operators {

// ohlcv: candles per key and tumbling window.
Status RegisterOhlcvOperator(OperatorRegistry& registry);
// indicators: SMA, EMA, RSI, MACD, Bollinger, volatility per key.
Status RegisterIndicatorsOperator(OperatorRegistry& registry);
// anomalies: rolling z-score and volume-spike alerts per key.
Status RegisterAnomaliesOperator(OperatorRegistry& registry);
// share: each member's share of the members' total per key and window.
Status RegisterShareOperator(OperatorRegistry& registry);

}  // namespace streamapp::operators
