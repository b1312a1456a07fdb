package capture

import (
	"fmt"
	"strings"
)

// Kind is a kind of source spec, "KIND:ARG". Open knows file: and exec:;
// the kinds whose sources live in packages that import this one
// (v4l2: in capture/v4l2cam, sim: in capture/sim) are handed to it by
// the composition root, which owns what they need (a v4l2cam.Cameras
// set, the board's clips).
type Kind struct {
	// Name is what comes before the colon: "v4l2".
	Name string
	// Form shows the spec, for error messages: "v4l2:/dev/videoN?OPTIONS".
	Form string
	// Open returns the source that arg, what follows the colon, names.
	// Errors about arg match ErrBadSpec.
	Open func(arg string, env Env) (Source, error)
}

// builtinKinds returns the kinds of this package.
func builtinKinds() []Kind {
	return []Kind{
		{Name: "file", Form: "file:PATH", Open: func(arg string, env Env) (Source, error) { return NewFile(arg, env), nil }},
		{Name: "exec", Form: "exec:COMMAND", Open: func(arg string, env Env) (Source, error) { return &Exec{Command: arg, Env: env}, nil }},
	}
}

// Open returns the source a spec names: "file:PATH", "exec:COMMAND", or
// one of more's kinds. Errors about the spec match ErrBadSpec and list
// the forms accepted.
func Open(spec string, env Env, more ...Kind) (Source, error) {
	kinds := append(builtinKinds(), more...)
	kind, arg, ok := strings.Cut(spec, ":")
	if !ok || strings.TrimSpace(arg) == "" {
		return nil, fmt.Errorf("%w %q: %s", ErrBadSpec, spec, forms(kinds))
	}
	for _, k := range kinds {
		if k.Name == kind {
			return k.Open(arg, env)
		}
	}
	return nil, fmt.Errorf("%w %q: unknown kind %q; %s", ErrBadSpec, spec, kind, forms(kinds))
}

// forms lists the specs kinds accept, for error messages: "want
// file:PATH, exec:COMMAND or v4l2:/dev/videoN?OPTIONS".
func forms(kinds []Kind) string {
	var b strings.Builder
	b.WriteString("want ")
	for i, k := range kinds {
		switch {
		case i == 0:
		case i == len(kinds)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(k.Form)
	}
	return b.String()
}
