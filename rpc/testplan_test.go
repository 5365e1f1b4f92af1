package rpc

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store"
)

// wirePlan and wirePlanRow read plans off the wire, where datetimes are
// naive ISO strings.
type wirePlan struct {
	store.TestPlan
	CreateDate string `json:"create_date"`
}

type wirePlanRow struct {
	store.TestPlanRow
	CreateDate string `json:"create_date"`
}

// planFixture is a product with two versions, one of another product, and
// the ids a plan needs.
type planFixture struct {
	product, version, otherVersion, planType int64
}

func mustPlanFixture(t *testing.T, admin func(string, ...any) jsonResponse) planFixture {
	t.Helper()
	p := mustProduct(t, admin, "planned")
	q := mustProduct(t, admin, "other")
	var v, w store.Version
	result(t, admin("Version.create", map[string]any{"product": p.ID, "value": "1.0"}), &v)
	result(t, admin("Version.create", map[string]any{"product": q.ID, "value": "9.0"}), &w)
	var types []store.PlanType
	result(t, admin("PlanType.filter", map[string]any{"name": "Unit"}), &types)
	return planFixture{product: p.ID, version: v.ID, otherVersion: w.ID, planType: types[0].ID}
}

func (f planFixture) values(name string, extra ...any) map[string]any {
	v := map[string]any{"name": name, "product": f.product, "product_version": f.version, "type": f.planType}
	for i := 0; i+1 < len(extra); i += 2 {
		v[extra[i].(string)] = extra[i+1]
	}
	return v
}

// mustCase inserts a test case behind the server's back (TestCase.create
// lives elsewhere) and returns its id.
func mustPlanCase(t *testing.T, conn *pgx.Conn, product int64, summary string) int64 {
	t.Helper()
	var id int64
	err := conn.QueryRow(t.Context(), `INSERT INTO test_cases (summary, case_status_id, category_id, priority_id, author_id, setup_duration)
		SELECT $1, (SELECT min(id) FROM test_case_statuses), (SELECT min(id) FROM categories WHERE product_id = $2),
			(SELECT min(id) FROM priorities), (SELECT min(id) FROM users), interval '90 minutes'
		RETURNING id`, summary, product).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestTestPlanCreate(t *testing.T) {
	ts := mustServer(t)
	admin := ts.as(adminName, adminPass)
	tester := ts.callers(t, userName, userPass)
	f := mustPlanFixture(t, admin)
	conn := ts.mustDB()

	var p wirePlan
	r := tester.json("TestPlan.create", f.values("Plan & co", "is_active", false, "text", "t", "extra_link", "https://example.com/x"))
	result(t, r, &p)
	wantKeys(t, r, "author", "create_date", "extra_link", "id", "is_active", "name", "parent", "product", "product_version", "text", "type")
	if !p.IsActive || p.Name != "Plan & co" || p.ProductVersionID != f.version || p.ParentID != nil || *p.ExtraLink != "https://example.com/x" {
		t.Fatalf("created %+v", p)
	}
	var hist string
	if err := conn.QueryRow(t.Context(), `SELECT history_type FROM history WHERE owner = 'testplans_testplan' AND object_id = $1`, p.ID).Scan(&hist); err != nil || hist != "+" {
		t.Fatalf("history %q %v", hist, err)
	}
	var child wirePlan
	tester.viaXML(t, &child, "TestPlan.create", f.values("child", "parent", p.ID, "author", fmt.Sprint(p.AuthorID), "create_date", "2021-02-25 12:12:12"))
	if *child.ParentID != p.ID || !strings.HasPrefix(child.CreateDate, "2021-02-25T12:12:12") {
		t.Fatalf("child %+v", child)
	}
	t.Run("ErrInput", func(t *testing.T) {
		for _, c := range []struct {
			values map[string]any
			msg    string
		}{
			{map[string]any{"name": "x"}, "'product'"},
			{f.values("", "type", nil), "[('name', ['This field is required.']), ('type', ['This field is required.'])]"},
			{f.values("x", "product_version", f.otherVersion), "[('product_version', ['Select a valid choice. That choice is not one of the available choices.'])]"},
			{f.values("x", "type", 99999), "[('type', ['Select a valid choice. That choice is not one of the available choices.'])]"},
			{f.values("x", "extra_link", "javascript:alert(1)"), "[('extra_link', ['Enter a valid URL.'])]"},
			{f.values("x", "create_date", "10-10-2010"), "[('create_date', ['Invalid date format. Expected YYYY-MM-DD [HH:MM:SS].'])]"},
			{f.values(long(256)), "[('name', ['Ensure this value has at most 255 characters (it has 256).'])]"},
		} {
			tester.fault(t, CodeInternal, "Internal error: "+c.msg, "TestPlan.create", c.values)
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		ts.nobody(t).refused(t, "testplans.add_testplan", "TestPlan.create", f.values("refused"))
		var n int
		conn.QueryRow(t.Context(), `SELECT count(*) FROM test_plans WHERE name = 'refused'`).Scan(&n)
		if n != 0 {
			t.Fatal("a refused create wrote a plan")
		}
	})
}

func TestTestPlanFilterGetUpdate(t *testing.T) {
	ts := mustServer(t)
	admin := ts.as(adminName, adminPass)
	tester := ts.callers(t, userName, userPass)
	f := mustPlanFixture(t, admin)
	var root, a, b wirePlan
	result(t, admin("TestPlan.create", f.values("root")), &root)
	result(t, admin("TestPlan.create", f.values("a", "parent", root.ID)), &a)
	result(t, admin("TestPlan.create", f.values("b", "parent", a.ID)), &b)
	conn := ts.mustDB()
	caseID := mustPlanCase(t, conn, f.product, "linked")
	result(t, admin("TestPlan.add_case", a.ID, caseID), new(any))
	result(t, admin("TestPlan.add_tag", a.ID, "nightly"), new(any))
	nobody := ts.nobody(t)

	t.Run("Filter", func(t *testing.T) {
		var all []wirePlanRow
		r := tester.json("TestPlan.filter")
		result(t, r, &all)
		wantKeys(t, r, "author", "author__username", "children__count", "create_date", "extra_link", "id", "is_active", "name",
			"parent", "product", "product__name", "product_version", "product_version__value", "text", "type", "type__name")
		if len(all) != 3 || all[0].ChildrenCount != 1 || all[0].ProductName != "planned" || all[0].TypeName != "Unit" || all[0].AuthorUsername != adminName {
			t.Fatalf("all: %+v", all)
		}
		for _, c := range []struct {
			query map[string]any
			want  []int64
		}{
			{map[string]any{}, []int64{root.ID, a.ID, b.ID}},
			{map[string]any{"name": "a", "product": f.product, "product_version": f.version}, []int64{a.ID}},
			{map[string]any{"parent": root.ID}, []int64{a.ID}},
			{map[string]any{"parent__isnull": true}, []int64{root.ID}},
			{map[string]any{"children": b.ID}, []int64{a.ID}},
			{map[string]any{"tag__name": "nightly"}, []int64{a.ID}},
			{map[string]any{"cases": caseID}, []int64{a.ID}},
			{map[string]any{"product__name": "planned", "product_version__value": "1.0", "author__username": adminName, "type__name": "Unit", "pk__in": []any{b.ID}}, []int64{b.ID}},
			{map[string]any{"product_id": f.product, "type_id": f.planType, "name__icontains": "ROOT"}, []int64{root.ID}},
		} {
			var got []wirePlanRow
			result(t, tester.json("TestPlan.filter", c.query), &got)
			ids := make([]int64, len(got))
			for i, g := range got {
				ids[i] = g.ID
			}
			if fmt.Sprint(ids) != fmt.Sprint(c.want) {
				t.Fatalf("%v: got %v, want %v", c.query, ids, c.want)
			}
		}
		var viaXML []wirePlanRow
		tester.viaXML(t, &viaXML, "TestPlan.filter", map[string]any{"tag__name__in": []any{"nightly", "weekly"}})
		if len(viaXML) != 1 || viaXML[0].ID != a.ID || viaXML[0].ProductVersionValue != "1.0" {
			t.Fatalf("XML filter: %+v", viaXML)
		}
		tester.empty(t, "TestPlan.filter", map[string]any{"name": "none"})
		tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'nope' into field.", "TestPlan.filter", map[string]any{"nope": 1})
		nobody.refused(t, "testplans.view_testplan", "TestPlan.filter", map[string]any{})
	})
	t.Run("Get", func(t *testing.T) {
		var got wirePlanRow
		tester.viaXML(t, &got, "TestPlan.get", a.ID)
		if got.ID != a.ID || got.ChildrenCount != 1 || got.ParentID == nil || *got.ParentID != root.ID {
			t.Fatalf("get: %+v", got)
		}
		tester.fault(t, CodeInternal, "Internal error: TestPlan matching query does not exist.", "TestPlan.get", 99999)
		nobody.refused(t, "testplans.view_testplan", "TestPlan.get", a.ID)
		var adminID int64
		conn.QueryRow(t.Context(), `SELECT id FROM users WHERE username = $1`, adminName).Scan(&adminID)
		if _, err := ts.Store.GrantObject(t.Context(), store.Principal{UserID: adminID, IsSuperuser: true},
			store.ObjectGrantSpec{Username: "nobody", Permission: "testplans.view_testplan", ObjectType: "TestPlan", ObjectID: a.ID}); err != nil {
			t.Fatal(err)
		}
		nobody.viaJSON(t, &got, "TestPlan.get", a.ID)
		nobody.refused(t, "testplans.view_testplan", "TestPlan.get", b.ID)
	})
	t.Run("Update", func(t *testing.T) {
		var u wirePlan
		r := tester.json("TestPlan.update", b.ID, map[string]any{"is_active": false, "product_version": f.otherVersion, "extra_link": "ftp://x.org/f"})
		result(t, r, &u)
		wantKeys(t, r, "author", "create_date", "extra_link", "id", "is_active", "name", "parent", "product", "product_version", "text", "type")
		if u.IsActive || u.ProductVersionID != f.otherVersion || u.Name != "b" || *u.ParentID != a.ID || u.CreateDate != b.CreateDate {
			t.Fatalf("partial: %+v", u)
		}
		tester.viaXML(t, &u, "TestPlan.update", b.ID, map[string]any{"parent": nil, "extra_link": nil, "name": "b2"})
		if u.ParentID != nil || u.ExtraLink != nil || u.Name != "b2" || u.IsActive {
			t.Fatalf("clearing: %+v", u)
		}
		var n int
		conn.QueryRow(t.Context(), `SELECT count(*) FROM history WHERE owner = 'testplans_testplan' AND object_id = $1 AND history_type = '~'`, b.ID).Scan(&n)
		if n != 2 {
			t.Fatalf("%d change history rows", n)
		}
		loop := "Internal error: [('__all__', ['A node cannot be made a descendant of itself.'])]"
		tester.fault(t, CodeInternal, loop, "TestPlan.update", root.ID, map[string]any{"parent": a.ID})
		tester.fault(t, CodeInternal, loop, "TestPlan.update", a.ID, map[string]any{"parent": a.ID})
		tester.fault(t, CodeInternal, "Internal error: [('type', ['Select a valid choice. That choice is not one of the available choices.'])]", "TestPlan.update", a.ID, map[string]any{"type": -1})
		tester.fault(t, CodeInternal, "Internal error: [('name', ['This field is required.'])]", "TestPlan.update", a.ID, map[string]any{"name": ""})
		tester.fault(t, CodeInternal, "Internal error: TestPlan matching query does not exist.", "TestPlan.update", 99999, map[string]any{"name": "x"})
		nobody.refused(t, "testplans.change_testplan", "TestPlan.update", a.ID, map[string]any{"name": "refused"})
		var got wirePlanRow
		result(t, tester.json("TestPlan.get", a.ID), &got)
		if got.Name != "a" || got.ParentID == nil {
			t.Fatalf("refused updates changed %+v", got)
		}
	})
}

func TestTestPlanTree(t *testing.T) {
	ts := mustServer(t)
	admin := ts.as(adminName, adminPass)
	tester := ts.callers(t, userName, userPass)
	f := mustPlanFixture(t, admin)
	id := map[string]int64{}
	for _, p := range [][2]string{{"root", ""}, {"a", "root"}, {"b", "root"}, {"a1", "a"}, {"b1", "b"}, {"a2", "a"}} {
		v := f.values(p[0])
		if p[1] != "" {
			v["parent"] = id[p[1]]
		}
		var made wirePlan
		result(t, admin("TestPlan.create", v), &made)
		id[p[0]] = made.ID
	}
	host := strings.TrimPrefix(ts.URL, "http://")
	var fromLeaf, fromRoot []store.PlanTreeNode
	r := tester.json("TestPlan.tree", id["b1"])
	result(t, r, &fromLeaf)
	wantKeys(t, r, "id", "name", "parent_id", "tree_depth", "url")
	tester.viaXML(t, &fromRoot, "TestPlan.tree", id["root"])
	var names []string
	for _, n := range fromLeaf {
		names = append(names, fmt.Sprintf("%s:%d", n.Name, n.TreeDepth))
	}
	if strings.Join(names, " ") != "root:0 a:1 a1:2 a2:2 b:1 b1:2" || !reflect.DeepEqual(fromLeaf, fromRoot) {
		t.Fatalf("tree %v / %v", fromLeaf, fromRoot)
	}
	if fromLeaf[0].URL != fmt.Sprintf("https://%s/plan/%d", host, id["root"]) || fromLeaf[0].ParentID != nil {
		t.Fatalf("root node %+v", fromLeaf[0])
	}
	if err := ts.Store.SetDomain(t.Context(), "tcms.example.com"); err != nil {
		t.Fatal(err)
	}
	result(t, tester.json("TestPlan.tree", id["a"]), &fromLeaf)
	if fromLeaf[1].URL != fmt.Sprintf("https://tcms.example.com/plan/%d", id["a"]) {
		t.Fatalf("with a domain: %+v", fromLeaf[1])
	}
	tester.fault(t, CodeInternal, "Internal error: TestPlan matching query does not exist.", "TestPlan.tree", 99999)
	ts.nobody(t).refused(t, "testplans.view_testplan", "TestPlan.tree", id["a"])
}
