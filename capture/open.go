package capture

import (
	"fmt"
	"strings"
)

// Open returns the source a spec names: "file:PATH" or "exec:COMMAND".
// Board-specific specs (sim:, v4l2:) are resolved by the agent.
func Open(spec string, env Env) (Source, error) {
	kind, arg, ok := strings.Cut(spec, ":")
	if !ok || strings.TrimSpace(arg) == "" {
		return nil, fmt.Errorf("%w %q: want file:PATH or exec:COMMAND", ErrBadSpec, spec)
	}
	switch kind {
	case "file":
		return NewFile(arg, env), nil
	case "exec":
		return &Exec{Command: arg, Env: env}, nil
	}
	return nil, fmt.Errorf("%w %q: unknown kind %q; want file:PATH or exec:COMMAND", ErrBadSpec, spec, kind)
}
