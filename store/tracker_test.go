package store_test

import (
	"testing"

	"github.com/tcms/tcms/store"
)

func TestTrackerMatches(t *testing.T) {
	for _, c := range []struct {
		base, link string
		want       bool
	}{
		// the same scheme, host, port and a path under the base
		{"https://tracker.example/bugs", "https://tracker.example/bugs/7", true},
		{"https://tracker.example/bugs", "https://tracker.example/bugs", true},
		{"https://tracker.example/bugs/", "https://tracker.example/bugs/7/", true},
		{"https://tracker.example", "https://tracker.example/anything/7", true},
		{"https://tracker.example/", "https://tracker.example", true},
		{"https://tracker.example/bugs", "https://tracker.example/bugs/7?x=1#top", true},
		{"https://Tracker.Example/bugs", "https://tracker.EXAMPLE/bugs/7", true},
		{"HTTPS://tracker.example/bugs", "https://tracker.example/bugs/7", true},
		{"https://tracker.example:443/bugs", "https://tracker.example/bugs/7", true},
		{"http://tracker.example/bugs", "http://tracker.example:80/bugs/7", true},
		{"http://tracker.example:8080/", "http://tracker.example:8080/7", true},
		{"https://user@tracker.example/", "https://tracker.example/7", true},
		{"http://[::1]:8080/bugs", "http://[::1]:8080/bugs/7", true},

		// another host whose name starts or ends with the tracker's
		{"http://bugzilla.org", "http://bugzilla.org.kiwitcms.eu/show_bug.cgi?id=1", false},
		{"https://tracker.example/", "https://tracker.example.evil.example/7", false},
		{"https://tracker.example/", "https://tracker.examplex/7", false},
		{"https://tracker.example/", "https://evil-tracker.example/7", false},
		{"https://tracker.example/", "https://eviltracker.example/7", false},
		// user info is not the host
		{"http://tracker.example/", "http://tracker.example@evil.example/7", false},
		{"http://tracker.example/", "http://tracker.example:80@evil.example/7", false},
		{"http://tracker.example/", "http://user:pass@evil.example/tracker.example/7", false},
		// another port
		{"https://tracker.example/", "https://tracker.example:8443/7", false},
		{"http://tracker.example:8080/", "http://tracker.example/7", false},
		{"http://tracker.example/", "http://tracker.example:443/7", false},
		// another scheme
		{"https://tracker.example/", "http://tracker.example/7", false},
		{"http://tracker.example/", "https://tracker.example/7", false},
		{"https://tracker.example/", "ftp://tracker.example/7", false},
		// a path beside the base, not under it
		{"https://tracker.example/bugs", "https://tracker.example/bugsX/7", false},
		{"https://tracker.example/bugs/", "https://tracker.example/bugsX/7", false},
		{"https://tracker.example/bugs", "https://tracker.example/bug", false},
		{"https://tracker.example/bugs", "https://tracker.example/", false},
		{"https://tracker.example/bugs", "https://tracker.example/BUGS/7", false},
		{"https://tracker.example/bugs", "https://tracker.example/bugs/../admin/7", false},
		{"https://tracker.example/bugs", "https://tracker.example/other?next=/bugs/7", false},
		// not absolute URLs, or not URLs at all
		{"https://tracker.example/", "tracker.example/7", false},
		{"https://tracker.example/", "//tracker.example/7", false},
		{"https://tracker.example/", "https:tracker.example/7", false},
		{"https://tracker.example/", "https://tracker.example\\@evil.example/7", false},
		{"https://tracker.example/", "https://tracker.example%00.evil.example/7", false},
		{"https://tracker.example/", "", false},
		{"", "https://tracker.example/7", false},
		{"/bugs", "https://tracker.example/bugs/7", false},
	} {
		if got := store.TrackerMatches(c.base, c.link); got != c.want {
			t.Errorf("TrackerMatches(%q, %q) = %v, want %v", c.base, c.link, got, c.want)
		}
	}
}
