//go:build linux

package alsa

import "fmt"

// state is a PCM stream state (SNDRV_PCM_STATE_*).
type state int32

// Stream states.
const (
	stateOpen         state = 0
	stateSetup        state = 1
	statePrepared     state = 2
	stateRunning      state = 3
	stateXRun         state = 4
	stateDraining     state = 5
	statePaused       state = 6
	stateSuspended    state = 7
	stateDisconnected state = 8
)

var stateNames = [...]string{"OPEN", "SETUP", "PREPARED", "RUNNING", "XRUN", "DRAINING", "PAUSED", "SUSPENDED", "DISCONNECTED"}

// String returns the state's name as in SNDRV_PCM_STATE_<name>.
func (s state) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", int32(s))
}
