// Package throttle slows down abusers cheaply: Backoff makes a key (an
// account, a client address) wait longer after each failure, and Every
// turns a flood of events into one log line per interval. Both are safe
// for concurrent use and bounded in memory.
package throttle
