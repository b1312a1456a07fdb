package ioc

// Request is a request number taken apart, as a fake driver sees it.
type Request struct {
	Type  byte // the driver's magic letter
	Nr    uint // the command number
	Size  int  // the argument's size in bytes
	Read  bool // _IOC_READ: the kernel writes the argument for the caller
	Write bool // _IOC_WRITE: the kernel reads the argument
	None  bool // the direction is exactly _IOC_NONE: no argument
}

// Decode takes req apart: the inverse of IO, IOR, IOW and IOWR on this
// architecture. Fake drivers use it to check what a caller asked for.
func Decode(req uint) Request {
	dir := req >> dirShift & (1<<dirBits - 1)
	return Request{
		Type:  byte(req >> typeShift),
		Nr:    req & (1<<nrBits - 1),
		Size:  int(Size(req)),
		Read:  dir&dirRead != 0,
		Write: dir&dirWrite != 0,
		None:  dir == dirNone,
	}
}
