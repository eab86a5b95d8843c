// composecheck loads a compose file the way `docker compose` does
// (compose-go: schema validation, anchors, merges, interpolation) and prints
// each service with its command, so tests can check what would run without
// a Docker engine.
package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: composecheck COMPOSE_FILE")
		os.Exit(2)
	}
	opts, err := cli.NewProjectOptions([]string{os.Args[1]}, cli.WithName("streamapp"))
	if err == nil {
		var names []string
		project, loadErr := opts.LoadProject(context.Background())
		if loadErr != nil {
			err = loadErr
		} else {
			for name := range project.Services {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				s := project.Services[name]
				fmt.Printf("%s\t%s\t%s\n", name, s.Image, strings.Join(s.Command, " "))
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "composecheck:", err)
		os.Exit(1)
	}
}
