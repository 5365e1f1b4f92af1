package store

import (
	"context"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// KiwiTrackerType is the tracker_type of Kiwi's own bug tracker, the bugs
// table of this server: URLs under its base_url name bugs by their
// trailing number.
const KiwiTrackerType = "tcms.issuetracker.kiwitcms.KiwiTCMS"

// TrackerMatches tells whether link belongs to the tracker whose base_url
// is baseURL (Kiwi's matching of bug URLs to trackers): the same scheme, the same host (case
// ignored) and the same port (80 for http and 443 for https when not
// written), and a path at or under the base_url's path. The path must
// continue at a segment boundary: base /bugs covers /bugs and /bugs/7 but
// not /bugsX; a base ending in / covers what starts with it. Dot segments
// are resolved first, so /bugs/../admin is not under /bugs. Only the host
// counts, never user info: http://tracker.example@evil.example/ is on
// evil.example.
func TrackerMatches(baseURL, link string) bool {
	b, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || b.Host == "" {
		return false
	}
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil || u.Host == "" {
		return false
	}
	if b.Scheme != u.Scheme || !strings.EqualFold(b.Hostname(), u.Hostname()) || port(b) != port(u) {
		return false
	}
	base, p := cleanPath(b.Path), cleanPath(u.Path)
	if strings.HasSuffix(base, "/") {
		return strings.HasPrefix(p, base)
	}
	return p == base || strings.HasPrefix(p, base+"/")
}

// port is the URL's port, the scheme's default one when not written.
func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch u.Scheme {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}

// cleanPath resolves the dot segments of an absolute URL path, keeping a
// trailing slash; the empty path is "/".
func cleanPath(p string) string {
	c := path.Clean("/" + p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// trailingID is the number that ends a URL once trailing slashes are cut,
// as Kiwi names bugs: https://tcms.example.com/bugs/7/ is bug 7.
var trailingID = regexp.MustCompile(`[0-9]+$`)

// bugIDFromURL returns the bug id a built-in tracker URL ends with; ok is
// false when it ends with no (representable) number.
func bugIDFromURL(link string) (id int64, ok bool) {
	digits := trailingID.FindString(strings.TrimRight(strings.TrimSpace(link), "/"))
	id, err := strconv.ParseInt(digits, 10, 64)
	return id, err == nil && id > 0
}

// trackerFor returns the first tracker, by id, whose base_url link
// matches (as Kiwi takes the first match); nil when none does.
func trackerFor(ctx context.Context, tx pgx.Tx, link string) (*db.BugTrackerWithBaseURLRow, error) {
	all, err := db.New(tx).BugTrackerWithBaseURL(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range all {
		if TrackerMatches(t.BaseUrl, link) {
			return &t, nil
		}
	}
	return nil, nil
}

// kiwiBugAt returns the id of the bug of the built-in tracker that link
// names: link must match a tracker of KiwiTrackerType and end with the
// id. ok is false otherwise; whether the bug exists is the caller's to
// check.
func kiwiBugAt(ctx context.Context, tx pgx.Tx, link string) (id int64, ok bool, err error) {
	t, err := trackerFor(ctx, tx, link)
	if err != nil || t == nil || t.TrackerType != KiwiTrackerType {
		return 0, false, err
	}
	id, ok = bugIDFromURL(link)
	return id, ok, nil
}

// linkToTracker is the tracker's "add execution to issue" action for a
// new link (Kiwi's TestExecution.add_link). For the built-in tracker it links the
// execution to the bug the URL names, if that bug exists, whatever
// is_defect and update_tracker say. External trackers would be told only
// for a defect link with update_tracker and credentials; this server
// makes no outbound calls, so for them it does nothing.
func linkToTracker(ctx context.Context, tx pgx.Tx, l Link) error {
	bug, ok, err := kiwiBugAt(ctx, tx, l.URL)
	if err != nil || !ok {
		return err
	}
	return db.New(tx).BugTrackerLinkExecution(ctx, db.BugTrackerLinkExecutionParams{BugID: bug, ExecutionID: l.Execution})
}
