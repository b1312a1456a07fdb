package cloud

import "errors"

// Errors returned by this package. They are wrapped with detail; test with
// errors.Is.
var (
	// ErrInvalidUser means a user's name, role, password or hash is not
	// acceptable.
	ErrInvalidUser = errors.New("cloud: invalid user")
	// ErrUserExists means a user of that name is already in the list.
	ErrUserExists = errors.New("cloud: user already exists")
	// ErrUsersFile means a users file could not be parsed.
	ErrUsersFile = errors.New("cloud: bad users file")
	// ErrInvalidShare means a share names no such device or viewer, or an
	// unknown permission.
	ErrInvalidShare = errors.New("cloud: invalid share")
	// ErrConfig means a broker, TURN or cloud configuration is unusable.
	ErrConfig = errors.New("cloud: invalid configuration")
)
