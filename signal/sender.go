package signal

// SenderProperty names the MQTT 5 user property in which a broker that
// vouches for senders puts the broker user name of a message's
// publisher, after removing any the publisher set itself. MQTT passes no
// publisher identity on to subscribers otherwise. The dev cloud's broker
// sets it (package cloud); mosquitto cannot, and passes on whatever a
// client wrote, so a camera relies on it only when told that its broker
// vouches (agent/p2p Config.BrokerVouches).
const SenderProperty = "p2pcam-sender"
