package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// TestPlan is the TestPlan namespace: plans, their tree, cases, tags and
// attachments.
type TestPlan struct{ s *Server }

var testPlanMethods = []Method{
	{Name: "TestPlan.create", Access: Perms, Perms: []string{"testplans.add_testplan"}, Returns: "struct",
		Doc: "Creates a plan from {name, product, product_version (of that product), type, text, extra_link, parent, author (default: the caller), create_date (default: now)}; is_active is always true. Returns {id, name, text, is_active, extra_link, product_version, author, product, type, parent, create_date}."},
	{Name: "TestPlan.filter", Access: Perms, Perms: []string{"testplans.view_testplan"}, Returns: "array",
		Doc: "Plans matching the query (everything when left out) with product_version__value, product__name, author__username, type__name and children__count, by product then id."},
	{Name: "TestPlan.remove", Access: Perms, Perms: []string{"testplans.delete_testplan"}, Returns: "array",
		Doc: "Deletes the plans a non-empty query matches (TestPlan.filter's keys) with their links to cases and tags and their attachments, recording each in its history, and returns [total, {model: count}]; refused, naming it, while one of them has a test run or a child plan that is not deleted with it."},
	{Name: "TestPlan.get", Access: Perms, Perms: []string{"testplans.view_testplan"}, Getter: true, Returns: "struct",
		Doc: "One plan by id, as TestPlan.filter shows it. Also answers holders of an object grant of testplans.view_testplan on that plan."},
	{Name: "TestPlan.update", Access: Perms, Perms: []string{"testplans.change_testplan"}, Returns: "struct",
		Doc: "Sets the given fields of a plan (absent ones are kept; product_version may be any version); a parent that is the plan or its descendant is refused. Returns it as TestPlan.create does."},
	{Name: "TestPlan.tree", Access: Perms, Perms: []string{"testplans.view_testplan"}, Returns: "array",
		Doc: "The plan's whole family from its root, depth first with children in id order, as {id, name, parent_id, tree_depth, url}."},
	{Name: "TestPlan.add_case", Access: Perms, Perms: []string{"testcases.add_testcaseplan"}, Returns: "struct",
		Doc: "Links a case to a plan after its last case (sortkey: highest + 10, or 0) and returns the case with durations in seconds and its sortkey; linking again keeps the sortkey."},
	{Name: "TestPlan.add_cases", Access: Perms, Perms: []string{"testcases.add_testcaseplan"}, Returns: "nil",
		Doc: "TestPlan.add_case for a list of cases (plan_id, case_ids, at most 10,000) in one call, all or none: each case not yet in the plan is linked after its last case, in the order given; linked cases keep their sortkey. Not in Kiwi TCMS."},
	{Name: "TestPlan.remove_case", Access: Perms, Perms: []string{"testcases.delete_testcaseplan"}, Returns: "nil",
		Doc: "Unlinks a case from a plan; no error when it is not linked."},
	{Name: "TestPlan.update_case_order", Access: Perms, Perms: []string{"testcases.change_testcaseplan"}, Returns: "nil",
		Doc: "Sets the sortkey of a case in a plan; nothing happens when it is not linked."},
	{Name: "TestPlan.add_tag", Access: Perms, Perms: []string{"testplans.add_testplantag"}, Returns: "nil",
		Doc: "Tags a plan by tag name; a missing tag is created when the caller holds management.add_tag. Tagging again is no error."},
	{Name: "TestPlan.remove_tag", Access: Perms, Perms: []string{"testplans.delete_testplantag"}, Returns: "nil",
		Doc: "Takes a tag, by name, off a plan; the tag must exist."},
	{Name: "TestPlan.add_attachment", Access: Perms, Perms: []string{"attachments.add_attachment"}, Returns: "nil",
		Doc: "Attaches a file (base64 content, at most 5 MiB, no executables or active HTML) to a plan."},
	{Name: "TestPlan.list_attachments", Access: Perms, Perms: []string{"attachments.view_attachment"}, Returns: "array",
		Doc: "The plan's attachments, newest first, as {pk, url, owner_pk, owner_username, date}."},
}

// PlanIDArgs names one plan.
type PlanIDArgs struct {
	PlanID int64 `json:"plan_id"`
}

// Create answers TestPlan.create with the rules of Kiwi's.
func (t *TestPlan) Create(r *http.Request, args *ValuesArgs, reply *store.TestPlan) error {
	if _, ok := args.Values["product"]; !ok {
		return store.Errorf(store.Invalid, "'product'") // Kiwi reads it before its form
	}
	who := caller(r)
	f := newForm(args.Values)
	p := store.NewTestPlan{Name: f.text("name", true, 255), Text: f.text("text", false, 0), IsActive: true,
		ExtraLink: f.link("extra_link"), ParentID: f.id("parent", false), CreateDate: f.dateTime("create_date")}
	product, version, typ, author := f.id("product", true), f.id("product_version", true), f.id("type", true), f.id("author", false)
	if err := f.err(); err != nil {
		return err
	}
	p.ProductID, p.ProductVersionID, p.TypeID = *product, *version, *typ
	p.AuthorID = who.UserID
	if author != nil && *author != 0 {
		p.AuthorID = *author
	}
	var err error
	*reply, err = t.s.store.CreateTestPlan(r.Context(), *who, p)
	return err
}

// Filter answers TestPlan.filter.
func (t *TestPlan) Filter(r *http.Request, args *OptQueryArgs, reply *[]store.TestPlanRow) (err error) {
	*reply, err = t.s.store.FilterTestPlans(r.Context(), args.Query)
	return err
}

// Get answers TestPlan.get; the check point has already applied object grants.
func (t *TestPlan) Get(r *http.Request, args *PlanIDArgs, reply *store.TestPlanRow) (err error) {
	*reply, err = t.s.store.TestPlanByID(r.Context(), args.PlanID)
	return err
}

// PlanUpdateArgs are the parameters of TestPlan.update.
type PlanUpdateArgs struct {
	PlanID int64          `json:"plan_id"`
	Values map[string]any `json:"values"`
}

// Update answers TestPlan.update.
func (t *TestPlan) Update(r *http.Request, args *PlanUpdateArgs, reply *store.TestPlan) error {
	f := newForm(args.Values)
	p := store.TestPlanPatch{Name: patchText(f, "name", 255), ProductVersionID: patchID(f, "product_version"),
		ProductID: patchID(f, "product"), TypeID: patchID(f, "type"), AuthorID: patchID(f, "author"),
		SetExtraLink: f.has("extra_link"), ExtraLink: f.link("extra_link"), SetParent: f.has("parent"), ParentID: f.id("parent", false)}
	if f.has("text") {
		text := f.text("text", false, 0)
		p.Text = &text
	}
	if f.has("is_active") {
		active := f.boolean("is_active", false)
		p.IsActive = &active
	}
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = t.s.store.UpdateTestPlan(r.Context(), *caller(r), args.PlanID, p)
	return err
}

// Tree answers TestPlan.tree; URLs name the domain set with tcms
// set-domain, or the request's host when none is set.
func (t *TestPlan) Tree(r *http.Request, args *PlanIDArgs, reply *[]store.PlanTreeNode) error {
	domain, err := t.s.domain(r)
	if err != nil {
		return err
	}
	*reply, err = t.s.store.TestPlanTree(r.Context(), args.PlanID, domain)
	return err
}

// Remove answers TestPlan.remove with [total, {model: count}].
func (p *TestPlan) Remove(r *http.Request, args *QueryArgs, reply *[]any) error {
	if err := requiredQuery(args.Query); err != nil {
		return err
	}
	return setDeleted(reply)(p.s.store.RemoveTestPlans(r.Context(), *caller(r), args.Query))
}
