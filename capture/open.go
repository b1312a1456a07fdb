package capture

import (
	"fmt"
	"strings"
)

// openForms lists the specs Open accepts, for error messages.
const openForms = "want file:PATH, exec:COMMAND or v4l2:/dev/videoN?OPTIONS"

// Open returns the source a spec names: "file:PATH", "exec:COMMAND" or
// "v4l2:DEVICE?OPTIONS" (see V4L2Spec). Board-specific specs (sim:) are
// resolved by the agent.
func Open(spec string, env Env) (Source, error) {
	kind, arg, ok := strings.Cut(spec, ":")
	if !ok || strings.TrimSpace(arg) == "" {
		return nil, fmt.Errorf("%w %q: %s", ErrBadSpec, spec, openForms)
	}
	switch kind {
	case "file":
		return NewFile(arg, env), nil
	case "exec":
		return &Exec{Command: arg, Env: env}, nil
	case "v4l2":
		s, err := ParseV4L2Spec(arg)
		if err != nil {
			return nil, err
		}
		return NewV4L2(s, env)
	}
	return nil, fmt.Errorf("%w %q: unknown kind %q; %s", ErrBadSpec, spec, kind, openForms)
}
