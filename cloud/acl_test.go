package cloud

import "testing"

var (
	aclCam1  = User{Name: "acme/cam1", Role: RoleDevice}
	aclAlice = User{Name: "alice", Role: RoleViewer}
	aclRel   = User{Name: "releaser", Role: RoleRelease}
)

func TestAllowed(t *testing.T) {
	const r, w = false, true
	tests := []struct {
		name  string
		user  User
		topic string
		write bool
		want  bool
	}{
		// A device reads its own rpc topic and nothing else.
		{"device reads own rpc", aclCam1, "p2pcam/acme/cam1/rpc", r, true},
		{"device reads other rpc", aclCam1, "p2pcam/acme/cam2/rpc", r, false},
		{"device reads own info", aclCam1, "p2pcam/acme/cam1/info", r, false},
		{"device reads product rpc wildcard", aclCam1, "p2pcam/acme/+/rpc", r, false},
		{"device reads own subtree", aclCam1, "p2pcam/acme/cam1/#", r, false},
		{"device reads own level wildcard", aclCam1, "p2pcam/acme/cam1/+", r, false},
		{"device reads inbox", aclCam1, "p2pcam/viewer/alice/inbox", r, false},
		{"device reads all", aclCam1, "#", r, false},
		{"device reads $SYS", aclCam1, "$SYS/#", r, false},
		{"device shared subscription", aclCam1, "$share/g/p2pcam/acme/cam1/rpc", r, false},
		{"device reads rpc child", aclCam1, "p2pcam/acme/cam1/rpc/x", r, false},
		// A device writes its own info and any viewer's inbox.
		{"device writes own info", aclCam1, "p2pcam/acme/cam1/info", w, true},
		{"device writes other info", aclCam1, "p2pcam/acme/cam2/info", w, false},
		{"device writes other product info", aclCam1, "p2pcam/other/cam1/info", w, false},
		{"device writes alice inbox", aclCam1, "p2pcam/viewer/alice/inbox", w, true},
		{"device writes bob inbox", aclCam1, "p2pcam/viewer/bob/inbox", w, true},
		{"device writes inbox wildcard", aclCam1, "p2pcam/viewer/+/inbox", w, false},
		{"device writes own rpc", aclCam1, "p2pcam/acme/cam1/rpc", w, false},
		{"device writes inbox child", aclCam1, "p2pcam/viewer/alice/inbox/x", w, false},
		{"device writes empty topic", aclCam1, "", w, false},
		{"device writes $SYS", aclCam1, "$SYS/broker/x", w, false},
		// A viewer reads its own inbox and device info.
		{"viewer reads own inbox", aclAlice, "p2pcam/viewer/alice/inbox", r, true},
		{"viewer reads other inbox", aclAlice, "p2pcam/viewer/bob/inbox", r, false},
		{"viewer reads every inbox", aclAlice, "p2pcam/viewer/+/inbox", r, false},
		{"viewer reads viewer subtree", aclAlice, "p2pcam/viewer/#", r, false},
		{"viewer reads own inbox subtree", aclAlice, "p2pcam/viewer/alice/#", r, false},
		{"viewer reads own level wildcard", aclAlice, "p2pcam/viewer/alice/+", r, false},
		{"viewer reads all info", aclAlice, "p2pcam/+/+/info", r, true},
		{"viewer reads product info", aclAlice, "p2pcam/acme/+/info", r, true},
		{"viewer reads one device info", aclAlice, "p2pcam/acme/cam1/info", r, true},
		{"viewer reads every device topic", aclAlice, "p2pcam/+/+/+", r, false},
		{"viewer reads device subtree", aclAlice, "p2pcam/acme/cam1/#", r, false},
		{"viewer reads rpc", aclAlice, "p2pcam/+/+/rpc", r, false},
		{"viewer reads root subtree", aclAlice, "p2pcam/#", r, false},
		{"viewer reads all", aclAlice, "#", r, false},
		{"viewer reads $SYS", aclAlice, "$SYS/#", r, false},
		{"viewer reads info child", aclAlice, "p2pcam/acme/cam1/info/x", r, false},
		{"viewer shared subscription", aclAlice, "$share/g/p2pcam/+/+/info", r, false},
		{"viewer malformed hash filter", aclAlice, "p2pcam/+/+/info#", r, false},
		{"viewer hash in the middle", aclAlice, "p2pcam/#/info", r, false},
		{"viewer plus inside a level", aclAlice, "p2pcam/a+/b/info", r, false},
		{"viewer reads empty filter", aclAlice, "", r, false},
		// A viewer writes any device's rpc.
		{"viewer writes rpc", aclAlice, "p2pcam/acme/cam1/rpc", w, true},
		{"viewer writes rpc wildcard", aclAlice, "p2pcam/+/+/rpc", w, false},
		{"viewer writes device info", aclAlice, "p2pcam/acme/cam1/info", w, false},
		{"viewer writes own inbox", aclAlice, "p2pcam/viewer/alice/inbox", w, false},
		{"viewer writes other inbox", aclAlice, "p2pcam/viewer/bob/inbox", w, false},
		{"viewer writes rpc child", aclAlice, "p2pcam/acme/cam1/rpc/x", w, false},
		// Release announcements.
		{"device reads own product release", aclCam1, "p2pcam/ota/acme/release", r, true},
		{"device reads other product release", aclCam1, "p2pcam/ota/other/release", r, false},
		{"device reads every release", aclCam1, "p2pcam/ota/+/release", r, false},
		{"device writes release", aclCam1, "p2pcam/ota/acme/release", w, false},
		{"viewer reads release", aclAlice, "p2pcam/ota/acme/release", r, false},
		{"viewer writes release", aclAlice, "p2pcam/ota/acme/release", w, false},
		{"release account writes release", aclRel, "p2pcam/ota/acme/release", w, true},
		{"release account writes release wildcard", aclRel, "p2pcam/ota/+/release", w, false},
		{"release account reads release", aclRel, "p2pcam/ota/acme/release", r, false},
		{"release account writes rpc", aclRel, "p2pcam/acme/cam1/rpc", w, false},
		{"release account writes info", aclRel, "p2pcam/acme/cam1/info", w, false},
		// Accounts whose name does not fit their role get nothing.
		{"device without product", User{Name: "cam1", Role: RoleDevice}, "p2pcam/cam1/rpc", r, false},
		{"viewer with slash", User{Name: "a/b", Role: RoleViewer}, "p2pcam/viewer/a/b/inbox", r, false},
		{"viewer named plus", User{Name: "+", Role: RoleViewer}, "p2pcam/viewer/+/inbox", r, false},
		{"unknown role", User{Name: "root", Role: "admin"}, "#", r, false},
		{"no role", User{Name: "alice"}, "p2pcam/viewer/alice/inbox", r, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Allowed(tt.user, tt.topic, tt.write); got != tt.want {
				t.Errorf("Allowed(%s %q, %q, write=%v) = %v, want %v",
					tt.user.Role, tt.user.Name, tt.topic, tt.write, got, tt.want)
			}
		})
	}
}

func TestCovers(t *testing.T) {
	tests := []struct {
		pattern, filter string
		want            bool
	}{
		{"a/b", "a/b", true},
		{"a/b", "a/c", false},
		{"a/b", "a", false},
		{"a/b", "a/b/c", false},
		{"a/+", "a/b", true},
		{"a/+", "a/+", true},
		{"a/+", "a/#", false},
		{"a/b", "a/+", false},
		{"a/+/c", "a/+/c", true},
		{"a/+/c", "a//c", true},
		{"a/#", "a", true},
		{"a/#", "a/b/c", true},
		{"a/#", "a/#", true},
		{"a/#", "#", false},
		{"#", "#", true},
		{"+", "#", false},
		{"+", "a", true},
		{"+", "a/b", false},
	}
	for _, tt := range tests {
		if got := covers(tt.pattern, tt.filter); got != tt.want {
			t.Errorf("covers(%q, %q) = %v, want %v", tt.pattern, tt.filter, got, tt.want)
		}
	}
}

func TestMosquittoACL(t *testing.T) {
	users := []User{
		{Name: "acme/cam1", Role: RoleDevice},
		{Name: "alice", Role: RoleViewer},
		{Name: "releaser", Role: RoleRelease},
		{Name: "bad name\ntopic readwrite #", Role: RoleViewer},
		{Name: "root", Role: "admin"},
	}
	want := `# p2pcam topic rules for mosquitto, generated by cloud.MosquittoACL.

user acme/cam1
topic read p2pcam/acme/cam1/rpc
topic read p2pcam/ota/acme/release
topic write p2pcam/acme/cam1/info
topic write p2pcam/viewer/+/inbox

user alice
topic read p2pcam/viewer/alice/inbox
topic read p2pcam/+/+/info
topic write p2pcam/+/+/rpc

user releaser
topic write p2pcam/ota/+/release
`
	if got := MosquittoACL(users); got != want {
		t.Errorf("MosquittoACL =\n%s\nwant\n%s", got, want)
	}
	if got := MosquittoACL(nil); got != "# p2pcam topic rules for mosquitto, generated by cloud.MosquittoACL.\n" {
		t.Errorf("MosquittoACL(nil) = %q", got)
	}
}
