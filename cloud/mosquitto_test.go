package cloud

import (
	"testing"

	"github.com/p2pcam/p2pcam/internal/brokertest"
)

// startMosquitto runs a real mosquitto with the test accounts and the
// MosquittoACL rules, and returns its address.
func startMosquitto(t *testing.T) string {
	t.Helper()
	return brokertest.Mosquitto(t, mosquittoLogins(), MosquittoACL(testUsers(t, accounts...)))
}

func mosquittoLogins() []brokertest.Account {
	logins := make([]brokertest.Account, len(accounts))
	for i, a := range accounts {
		logins[i] = brokertest.Account{Name: a.name, Password: a.password}
	}
	return logins
}

// mosquitto's WebSocket listener (the equivalent of the embedded
// broker's, see docs/protocol.md) keeps the same accounts and rules.
func TestMosquittoWebSocket(t *testing.T) {
	_, url := brokertest.MosquittoWebSocket(t, mosquittoLogins(), MosquittoACL(testUsers(t, accounts...)))
	t.Run("login", func(t *testing.T) { runLoginCases(t, url, false) })
	t.Run("delivery", func(t *testing.T) { runDeliveryCases(t, url, false) })
}

func TestMosquittoLogin(t *testing.T) {
	runLoginCases(t, startMosquitto(t), false)
}

func TestMosquittoDelivery(t *testing.T) {
	runDeliveryCases(t, startMosquitto(t), false)
}

func TestMosquittoWill(t *testing.T) {
	runWillCases(t, startMosquitto(t))
}
