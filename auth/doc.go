// Package auth decides who may talk to a camera and proves what the camera
// says.
//
// Viewers present a token issued and signed by the operator's cloud; the
// camera checks it with a Verifier against the Ed25519 public keys it is
// configured to trust (see Sign and Verifier.Verify for the wire format).
// The camera also owns a device key (LoadOrCreateDeviceKey) with which it
// signs its own messages, such as the answer carrying its DTLS fingerprint,
// so viewers can check them against the public key the device publishes
// (SignMessage, VerifyMessage).
package auth
