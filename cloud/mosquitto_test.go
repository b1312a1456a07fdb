package cloud

import (
	"testing"

	"github.com/p2pcam/p2pcam/internal/brokertest"
)

// startMosquitto runs a real mosquitto with the test accounts and the
// MosquittoACL rules, and returns its address.
func startMosquitto(t *testing.T) string {
	t.Helper()
	logins := make([]brokertest.Account, len(accounts))
	for i, a := range accounts {
		logins[i] = brokertest.Account{Name: a.name, Password: a.password}
	}
	return brokertest.Mosquitto(t, logins, MosquittoACL(testUsers(t, accounts...)))
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
