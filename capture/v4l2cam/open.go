package v4l2cam

import "github.com/p2pcam/p2pcam/capture"

// Open returns a source for arg, what follows "v4l2:" in a source spec
// (see Spec), made from cs (see NewSource). It is the Open of the "v4l2"
// capture.Kind. Errors about arg match capture.ErrBadSpec.
func (cs *Cameras) Open(arg string, env capture.Env) (capture.Source, error) {
	spec, err := ParseSpec(arg)
	if err != nil {
		return nil, err
	}
	s, err := cs.NewSource(spec, env)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Kind returns the "v4l2" kind of source spec, whose sources cs makes,
// for capture.Open.
func (cs *Cameras) Kind() capture.Kind {
	return capture.Kind{Name: "v4l2", Form: "v4l2:/dev/videoN?OPTIONS", Open: cs.Open}
}
