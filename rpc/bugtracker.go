package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// BugTracker is the BugTracker namespace (Kiwi's BugSystem). The API
// password is write-only: stored encrypted, never returned or filterable.
type BugTracker struct{ s *Server }

var bugTrackerMethods = []Method{
	{Name: "BugTracker.filter", Access: Perms, Perms: []string{"testcases.view_bugsystem"}, Returns: "array",
		Doc: "Bug trackers matching the query ({id, name, tracker_type, base_url, api_url, api_username}), by id. Filterable: id, name, tracker_type, base_url, api_url, api_username; never api_password."},
	{Name: "BugTracker.create", Access: Perms, Perms: []string{"testcases.add_bugsystem"}, Returns: "struct",
		Doc: "Creates a bug tracker from {name (required, unique), tracker_type (required, e.g. tcms.issuetracker.types.Bugzilla), base_url, api_url, api_username, api_password} and returns it without api_password, which is stored encrypted."},
	{Name: "BugTracker.update", Access: Perms, Perms: []string{"testcases.change_bugsystem"}, Returns: "struct",
		Doc: "Sets the given fields of a bug tracker (name, tracker_type, base_url, api_url, api_username, api_password; absent ones are kept, \"\" or null clears an optional one) and returns it without api_password, which is stored encrypted: how credentials are rotated."},
	{Name: "BugTracker.remove", Access: Perms, Perms: []string{"testcases.delete_bugsystem"}, Returns: "array",
		Doc: "Deletes the bug trackers a non-empty query matches (BugTracker.filter's keys) and returns [total, {model: count}]; links to their URLs stay."},
}

// Filter answers BugTracker.filter.
func (b *BugTracker) Filter(r *http.Request, args *QueryArgs, reply *[]store.BugTracker) error {
	if args.Query == nil {
		return invalidParams("query is required; {} matches every bug tracker")
	}
	var err error
	*reply, err = b.s.store.FilterBugTrackers(r.Context(), args.Query)
	return err
}

// Create answers BugTracker.create.
func (b *BugTracker) Create(r *http.Request, args *ValuesArgs, reply *store.BugTracker) error {
	f := newForm(args.Values)
	n := store.NewBugTracker{
		Name:        f.text("name", true, 255),
		TrackerType: f.text("tracker_type", true, 128),
		BaseURL:     nonEmpty(f.text("base_url", false, 1024)),
		APIURL:      nonEmpty(f.text("api_url", false, 1024)),
		APIUsername: nonEmpty(f.text("api_username", false, 256)),
		APIPassword: nonEmpty(f.text("api_password", false, 256)),
	}
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = b.s.store.CreateBugTracker(r.Context(), n)
	return err
}

// BugTrackerUpdateArgs are the parameters of BugTracker.update.
type BugTrackerUpdateArgs struct {
	TrackerID int64          `json:"tracker_id"`
	Values    map[string]any `json:"values"`
}

// Update answers BugTracker.update.
func (b *BugTracker) Update(r *http.Request, args *BugTrackerUpdateArgs, reply *store.BugTracker) error {
	f := newForm(args.Values)
	p := store.BugTrackerPatch{Name: patchText(f, "name", 255), TrackerType: patchText(f, "tracker_type", 128)}
	for _, o := range []struct {
		key    string
		maxLen int
		set    *bool
		value  **string
	}{
		{"base_url", 1024, &p.SetBaseURL, &p.BaseURL}, {"api_url", 1024, &p.SetAPIURL, &p.APIURL},
		{"api_username", 256, &p.SetAPIUsername, &p.APIUsername}, {"api_password", 256, &p.SetAPIPassword, &p.APIPassword},
	} {
		if f.has(o.key) {
			*o.set, *o.value = true, nonEmpty(f.text(o.key, false, o.maxLen))
		}
	}
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = b.s.store.UpdateBugTracker(r.Context(), args.TrackerID, p)
	return err
}

// Remove answers BugTracker.remove with [total, {model: count}].
func (b *BugTracker) Remove(r *http.Request, args *QueryArgs, reply *[]any) error {
	return removeMatching(r, args, reply, b.s.store.RemoveBugTrackers)
}

// nonEmpty maps "" (absent or empty in a form) to nil, as Django stores
// an empty optional field as NULL.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
