package rpc

import (
	"cmp"
	"net/http"

	"github.com/tcms/tcms/store"
)

// Bug is the Bug namespace: the built-in bug tracker, always on (and, in
// bug_links.go, its tags, executions, comments and attachments).
type Bug struct{ s *Server }

var bugMethods = []Method{
	{Name: "Bug.create", Access: Perms, Perms: []string{"bugs.add_bug"}, Returns: "struct",
		Doc: "Creates a bug from {summary (max 255), product, version, build (required ids), severity (id), assignee (id, username or email), reporter (id; default: the caller), status (default: true, open), created_at (default: now)}; text is accepted but not stored. Returns {id, summary, status, reporter, assignee, product, version, build, severity, executions: [], tags: [], created_at}."},
	{Name: "Bug.filter", Access: Perms, Perms: []string{"bugs.view_bug"}, Returns: "array",
		Doc: "Bugs matching the query, by id, as {pk, summary, created_at, product__name, version__value, build__name, reporter__username, assignee__username, severity__name, severity__color, severity__icon}. Filterable: see docs/filters.md (Bug), including executions, executions__run, tags__name."},
	{Name: "Bug.filter_canonical", Access: Perms, Perms: []string{"bugs.view_bug"}, Returns: "array",
		Doc: "Bugs matching the query, by id, with their FKs as ids: {id, summary, created_at, status, reporter, assignee, product, version, build, severity}."},
	{Name: "Bug.get", Access: Perms, Perms: []string{"bugs.view_bug"}, Getter: true, Returns: "struct",
		Doc: "One bug by id as Bug.create returns it, with the ids of its executions and tags. Also answers holders of an object grant of bugs.view_bug on that bug."},
	{Name: "Bug.update", Access: Perms, Perms: []string{"bugs.change_bug"}, Returns: "struct",
		Doc: "Sets the given fields of a bug (summary, status: false closes it, severity (id; null clears), assignee (id, username or email; null or \"\" clears), product, version, build; absent ones are kept) and returns it as Bug.get does."},
	{Name: "Bug.remove", Access: Perms, Perms: []string{"bugs.delete_bug"}, Returns: "nil",
		Doc: "Deletes the bugs a non-empty query matches, with their comments and attachments and their links to executions and tags."},
	{Name: "Bug.details", Access: Login, Returns: "struct",
		Doc: "For a URL of the built-in tracker (a bug tracker of type tcms.issuetracker.kiwitcms.KiwiTCMS whose base_url covers it, ending with a bug id): {id, title, status (\"Open\" or \"Closed\"), description (the bug's first comment rendered from Markdown, or \"\"), url}. Anything else, including a missing bug, gives {}: no external tracker is contacted."},
	{Name: "Bug.report", Access: Perms, Perms: []string{"testruns.view_testexecution", "linkreference.add_linkreference"}, Returns: "struct",
		Doc: "Reports a bug from an execution (execution_id, tracker_id). With a tracker of type tcms.issuetracker.kiwitcms.KiwiTCMS: creates the bug \"Failed test: <case summary>\" (the plan's product and version, the execution's build, assigned to the case's default tester), links the execution to it, adds a defect link to the bug's URL and a comment describing the execution, and returns {rc: 0, response: \"https://<domain>/bugs/<id>/\"}. Other trackers: {rc: 1, response: \"Enable reporting to this Issue Tracker by configuring its base_url!\"}."},
}

// BugIDArgs names one bug.
type BugIDArgs struct {
	BugID int64 `json:"bug_id"`
}

// Create answers Bug.create.
func (b *Bug) Create(r *http.Request, args *ValuesArgs, reply *store.Bug) error {
	f := newForm(args.Values)
	n := store.NewBug{Summary: f.text("summary", true, 255)}
	for _, fk := range []struct {
		key string
		id  *int64
	}{{"product", &n.Product}, {"version", &n.Version}, {"build", &n.Build}} {
		if v := f.id(fk.key, true); v != nil {
			*fk.id = *v
		}
	}
	n.Severity, n.Reporter = f.id("severity", false), f.id("reporter", false)
	n.Status, n.CreatedAt = f.boolean("status", true), f.dateTime("created_at")
	if err := f.err(); err != nil {
		return err
	}
	var err error
	if n.Assignee, err = userRef(args.Values["assignee"]); err != nil {
		return err
	}
	*reply, err = b.s.store.CreateBug(r.Context(), *caller(r), n)
	return err
}

// BugUpdateArgs are the parameters of Bug.update.
type BugUpdateArgs struct {
	BugID  int64          `json:"bug_id"`
	Values map[string]any `json:"values"`
}

// Update answers Bug.update.
func (b *Bug) Update(r *http.Request, args *BugUpdateArgs, reply *store.Bug) error {
	f := newForm(args.Values)
	p := store.BugPatch{Summary: patchText(f, "summary", 255), Product: patchID(f, "product"),
		Version: patchID(f, "version"), Build: patchID(f, "build")}
	if f.has("status") {
		p.Status = new(f.boolean("status", true))
	}
	if f.has("severity") {
		p.SetSeverity, p.Severity = true, f.id("severity", false)
	}
	if err := f.err(); err != nil {
		return err
	}
	if _, ok := args.Values["assignee"]; ok {
		var err error
		if p.Assignee, err = userRef(args.Values["assignee"]); err != nil {
			return err
		}
		p.SetAssignee = true
	}
	var err error
	*reply, err = b.s.store.UpdateBug(r.Context(), args.BugID, p)
	return err
}

// Filter answers Bug.filter.
func (b *Bug) Filter(r *http.Request, args *QueryArgs, reply *[]store.BugRow) (err error) {
	if err := requiredQuery(args.Query); err != nil {
		return err
	}
	*reply, err = b.s.store.FilterBugs(r.Context(), args.Query)
	return err
}

// FilterCanonical answers Bug.filter_canonical.
func (b *Bug) FilterCanonical(r *http.Request, args *QueryArgs, reply *[]store.BugFields) (err error) {
	if err := requiredQuery(args.Query); err != nil {
		return err
	}
	*reply, err = b.s.store.FilterBugsCanonical(r.Context(), args.Query)
	return err
}

// Get answers Bug.get; the check point has already applied object grants.
func (b *Bug) Get(r *http.Request, args *BugIDArgs, reply *store.Bug) (err error) {
	*reply, err = b.s.store.BugByID(r.Context(), args.BugID)
	return err
}

// Remove answers Bug.remove.
func (b *Bug) Remove(r *http.Request, args *QueryArgs, _ *any) error {
	if err := requiredQuery(args.Query); err != nil {
		return err
	}
	return b.s.store.RemoveBugs(r.Context(), args.Query)
}

// URLArgs is one URL parameter.
type URLArgs struct {
	URL string `json:"url"`
}

// Details answers Bug.details for the built-in tracker; other URLs get {}.
func (b *Bug) Details(r *http.Request, args *URLArgs, reply *map[string]any) error {
	bug, err := b.s.store.BugAt(r.Context(), args.URL)
	if err != nil {
		return err
	}
	*reply = map[string]any{}
	if bug != nil {
		status := "Closed"
		if bug.Open {
			status = "Open"
		}
		*reply = map[string]any{"id": bug.ID, "title": bug.Summary, "status": status,
			"description": renderMarkdown(bug.FirstComment), "url": args.URL}
	}
	return nil
}

// ReportArgs are the parameters of Bug.report.
type ReportArgs struct {
	ExecutionID int64 `json:"execution_id"`
	TrackerID   int64 `json:"tracker_id"`
}

// Report answers Bug.report; the bug's URL is on the public domain.
func (b *Bug) Report(r *http.Request, args *ReportArgs, reply *store.BugReport) error {
	domain, err := b.s.domain(r)
	if err != nil {
		return err
	}
	*reply, err = b.s.store.ReportBug(r.Context(), *caller(r), args.ExecutionID, args.TrackerID, "https://"+domain)
	return err
}

// domain is the public host[:port] of absolute URLs: the one set with
// tcms set-domain, or the request's host when none is set.
func (s *Server) domain(r *http.Request) (string, error) {
	d, err := s.store.Domain(r.Context())
	return cmp.Or(d, r.Host), err
}
