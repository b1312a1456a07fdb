// Package watchdog keeps a hardware watchdog (/dev/watchdog) from
// rebooting the board while the camera is healthy, and lets it reboot the
// board when it is not.
//
// [Open] arms the watchdog; [Device.SetTimeout] sets how long it waits
// for a keepalive; [Device.Close] writes the magic character 'V' before
// closing, which stops the watchdog on drivers that allow it (not with
// the nowayout module option). Closing without it (the process dying)
// leaves the watchdog running, so the board reboots.
//
// [Run] feeds a device every Interval (a third of the timeout) while a
// health check passes. When it fails, Run stops feeding for good and logs
// why: the board reboots within the timeout. When its context ends while
// healthy (a clean shutdown), Run disarms the device with the magic close.
//
// Every system call goes through the [Sys] interface so tests can use a
// fake. Off Linux, Open fails with [ErrUnsupported].
package watchdog
