// Package slot installs p2pcamd updates into A/B slots on any board, runs
// the new version on trial and confirms it or rolls it back.
//
// Layout under Config.Dir (default /var/lib/p2pcam/slots):
//
//	a/p2pcamd   one slot's binary
//	b/p2pcamd   the other's
//	state.json  which slot is current, the trial, the anti-rollback floor
//	            and the last result; replaced only by an fsync'ed rename
//
// state.json is the one source of truth: a slot's binary is written and
// fsync'ed in full before the state that names it is renamed into place,
// so after a power cut at any moment the state names either the old
// binary or the complete new one. No state, or one that cannot be read,
// means the factory binary (the rootfs's /usr/bin/p2pcamd).
//
// The trial: Install makes the new slot current with a trial of it; the
// launcher (Store.Boot, run by `p2pcamd slot exec`) counts each start of
// a slot on trial and rolls back to the previous slot once MaxBoots
// starts went by unconfirmed (a crash loop, a watchdog reset); the new
// version itself confirms the trial (Store.Confirm) once its health
// checks pass, or rolls back (Store.Fail) when they do not within their
// deadline. docs/ota.md has the state diagram.
package slot
