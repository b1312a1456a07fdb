// Package scale load-tests the signalling design on one real mosquitto:
// thousands of simulated cameras and viewers, each a real
// mqttclient connection with the accounts, ACL and topics of production.
// A simulated camera subscribes to its rpc topic, publishes its retained
// info with a last will, and answers every offer with an answer and two
// candidates; a simulated viewer sends an offer with two candidates,
// waits for the answer and says bye: the seven messages of a real P2P
// set-up, with payloads of real size.
//
// The tests run a few hundred of each (CI); BenchmarkFleet runs the full
// size (scripts/bench.sh, docs/scale.md):
//
//	go test -run '^$' -bench Fleet -benchtime 1x ./scale/ -args -cameras 5000 -viewers 200
//
// It has no code outside its tests.
package scale
