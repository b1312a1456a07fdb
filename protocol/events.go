package protocol

// The event commands (docs/protocol.md, Events).
const (
	// CmdEvents opens the camera's event stream: the answer's body is
	// one JSON event per line (package event) for as long as the
	// request is open. It needs the live permission: whoever may watch
	// the camera may hear what it sees.
	CmdEvents = "events"
	// CmdTriggerEvent makes the camera publish an event of the viewer's
	// (a maker's button, a test): cmd=trigger_event&type=T&KEY=VALUE...
	// It needs the command permission.
	CmdTriggerEvent = "trigger_event"
	// EventsRequest is the request line of the event stream.
	EventsRequest = "command?action=inner_define&channel=0&cmd=" + CmdEvents
	// EventsContentType is the event stream's content type.
	EventsContentType = "application/x-ndjson"
)
