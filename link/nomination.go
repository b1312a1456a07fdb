package link

import (
	"github.com/pion/ice/v4"
	"github.com/pion/stun/v4"
)

// followNomination makes a controlled ICE agent (the camera: the viewer
// offers, so it controls) use the pair the controlling peer nominated
// last, once a check of ours on that pair has been answered. It is the
// agent's binding request handler: pion selects the pair when it returns
// true.
//
// pion on its own switches to a nominated pair only if its priority is
// higher than the selected one's (RFC 8445 7.3.1.5), and to one of equal
// priority when its own check of an earlier nomination comes back.
// Chromium nominates the way it pleases: every pair it checks before it
// has chosen, then the one it chose (semi-aggressive nomination), which
// is not the highest by priority as pion computes it. In the NAT lab the
// camera, with two server-reflexive sockets of equal priority, sent from
// the one Chromium had not chosen in 4 of 9 sessions: it worked only
// because Chromium still accepted packets on that other pair. Following
// the last nomination, the camera moves back to Chromium's pair at its
// next check of it (every 2.5 s once stable), where pion alone ignored
// that nomination as no higher than the selected pair.
func followNomination(m *stun.Message, _, _ ice.Candidate, pair *ice.CandidatePair) bool {
	return m.Contains(stun.AttrUseCandidate) && pair.ResponsesReceived() > 0
}
