// Package cloud is the dev cloud: an embedded MQTT 5 broker (mochi-mqtt)
// and a STUN/TURN server (pion/turn) that let cameras and viewers meet
// without any outside service.
//
// Production replaces it with mosquitto (or EMQX) and coturn, with no code
// change: the broker enforces the same topic rules, written once in
// Allowed and exported for mosquitto by MosquittoACL, and the TURN server
// uses the "TURN REST API" time-limited credentials that coturn accepts
// with use-auth-secret and static-auth-secret (see TURNCredentials).
//
// Accounts live in a TOML users file (LoadUsers, SaveUsers, AddUser):
// devices are named "PRODUCT/DEVICE", viewers by a user name, and
// passwords are stored as bcrypt hashes. A device logs in with its name
// as user name and client id; a viewer with its name as user name and a
// session id of its own (signal.ViewerClientID) as client id.
package cloud
