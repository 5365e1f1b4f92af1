package store_test

import (
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

// MustRefresh fills the permissions table from the catalogue, as
// initial-setup does.
func MustRefresh(t *testing.T, st *store.Store) {
	t.Helper()
	if _, err := st.RefreshPermissions(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// MustCreatePlainUser creates an active user in no group.
func MustCreatePlainUser(t *testing.T, st *store.Store, username string) store.User {
	t.Helper()
	u, err := st.CreateUser(t.Context(), store.System, store.NewUser{Username: username, Password: "secret", Groups: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// MustExec runs SQL behind the Store's back; tests use it to set up
// unbound grants and groups before the Store caches any permission set.
func MustExec(t *testing.T, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(t.Context(), sql, args...); err != nil {
		t.Fatal(err)
	}
}

func mustGrantUnbound(t *testing.T, conn *pgx.Conn, userID int64, labels ...string) {
	t.Helper()
	MustExec(t, conn, `INSERT INTO user_permissions (user_id, permission_id)
		SELECT $1, id FROM permissions WHERE app_label || '.' || codename = ANY ($2)`, userID, labels)
}

// mustGroup creates a group with the given members and returns its id.
func mustGroup(t *testing.T, conn *pgx.Conn, name string, members ...int64) int64 {
	t.Helper()
	var id int64
	if err := conn.QueryRow(t.Context(), "INSERT INTO groups (name) VALUES ($1) RETURNING id", name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	MustExec(t, conn, "INSERT INTO user_groups (user_id, group_id) SELECT unnest($1::bigint[]), $2", members, id)
	return id
}

func countGrants(t *testing.T, conn *pgx.Conn) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM object_permissions").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestGrantObject(t *testing.T) {
	t.Parallel()
	st, conn, _ := MustOpen(t)
	ctx := t.Context()
	MustRefresh(t, st)
	admin := store.Principal{UserID: MustCreateUser(t, st, "admin").ID, Username: "admin", IsSuperuser: true}
	alice := MustCreatePlainUser(t, st, "alice")
	bob := MustCreatePlainUser(t, st, "bob")
	MustTestCases(t, conn, 8)
	mustGrantUnbound(t, conn, bob.ID, "tcms.add_objectpermission", "testcases.view_testcase")
	qa := mustGroup(t, conn, "qa")

	t.Run("OK", func(t *testing.T) {
		g, err := st.GrantObject(ctx, admin, store.ObjectGrantSpec{Username: "alice", Permission: "testcases.view_testcase", ObjectType: "TestCase", ObjectID: 7})
		if err != nil {
			t.Fatal(err)
		}
		if g.ID == 0 || *g.User != alice.ID || *g.Username != "alice" || g.Group != nil || g.GroupName != nil ||
			g.Permission != "testcases.view_testcase" || g.ObjectType != "TestCase" || g.ObjectID != 7 {
			t.Fatalf("got %+v", g)
		}
		again, err := st.GrantObject(ctx, admin, store.ObjectGrantSpec{UserID: alice.ID, Permission: "testcases.view_testcase", ObjectType: "TestCase", ObjectID: 7})
		if err != nil || !reflect.DeepEqual(again, g) {
			t.Fatalf("idempotent grant: got %+v, %v; want %+v", again, err, g)
		}
	})
	t.Run("OKGroup", func(t *testing.T) {
		g, err := st.GrantObject(ctx, admin, store.ObjectGrantSpec{GroupName: "qa", Permission: "testplans.change_testplan", ObjectType: "TestPlan", ObjectID: MustPlans(t, conn, alice.ID, 1)[0]})
		if err != nil || *g.Group != qa || *g.GroupName != "qa" || g.User != nil || g.Username != nil {
			t.Fatalf("got %+v, %v", g, err)
		}
	})
	t.Run("OKUserObject", func(t *testing.T) {
		g, err := st.GrantObject(ctx, admin, store.ObjectGrantSpec{GroupID: qa, Permission: "auth.view_user", ObjectType: "User", ObjectID: alice.ID})
		if err != nil || g.ObjectID != alice.ID {
			t.Fatalf("got %+v, %v", g, err)
		}
	})
	t.Run("OKHeldLabel", func(t *testing.T) {
		by := store.Principal{UserID: bob.ID, Username: "bob"}
		if _, err := st.GrantObject(ctx, by, store.ObjectGrantSpec{UserID: alice.ID, Permission: "testcases.view_testcase", ObjectType: "TestCase", ObjectID: 8}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrEscalation", func(t *testing.T) {
		before := countGrants(t, conn)
		by := store.Principal{UserID: bob.ID, Username: "bob"}
		_, err := st.GrantObject(ctx, by, store.ObjectGrantSpec{UserID: bob.ID, Permission: "testplans.view_testplan", ObjectType: "TestPlan", ObjectID: 1})
		wantError(t, err, store.Forbidden, "You cannot grant a permission you do not hold: testplans.view_testplan")
		if countGrants(t, conn) != before {
			t.Fatal("a refused grant was written")
		}
	})
	for name, c := range map[string]struct {
		spec store.ObjectGrantSpec
		kind store.Kind
		msg  string
	}{
		"ErrBoth":         {store.ObjectGrantSpec{UserID: alice.ID, GroupID: qa, Permission: "bugs.view_bug", ObjectType: "Bug", ObjectID: 1}, store.Invalid, "Give exactly one of user and group."},
		"ErrNeither":      {store.ObjectGrantSpec{Permission: "bugs.view_bug", ObjectType: "Bug", ObjectID: 1}, store.Invalid, "Give exactly one of user and group."},
		"ErrUnknownLabel": {store.ObjectGrantSpec{UserID: alice.ID, Permission: "bugs.fly", ObjectType: "Bug", ObjectID: 1}, store.Invalid, `Unknown permission: "bugs.fly"`},
		"ErrLabelType": {store.ObjectGrantSpec{UserID: alice.ID, Permission: "testplans.view_testplan", ObjectType: "TestCase", ObjectID: 1}, store.Invalid,
			"permission: testplans.view_testplan does not apply to a TestCase; use one of testcases.view_testcase, testcases.change_testcase, testcases.delete_testcase."},
		"ErrAddLabel": {store.ObjectGrantSpec{UserID: alice.ID, Permission: "bugs.add_bug", ObjectType: "Bug", ObjectID: 1}, store.Invalid,
			"permission: bugs.add_bug does not apply to a Bug; use one of bugs.view_bug, bugs.change_bug, bugs.delete_bug."},
		"ErrType": {store.ObjectGrantSpec{UserID: alice.ID, Permission: "bugs.view_bug", ObjectType: "Build", ObjectID: 1}, store.Invalid,
			`object_type: Select a valid choice. "Build" is not one of Bug, TestCase, TestPlan, TestRun, User.`},
		"ErrObjectID":   {store.ObjectGrantSpec{UserID: alice.ID, Permission: "bugs.view_bug", ObjectType: "Bug", ObjectID: 0}, store.Invalid, "object_id: Ensure this value is greater than or equal to 1."},
		"ErrNoUser":     {store.ObjectGrantSpec{Username: "ghost", Permission: "bugs.view_bug", ObjectType: "Bug", ObjectID: 1}, store.NotFound, "User matching query does not exist."},
		"ErrNoUserID":   {store.ObjectGrantSpec{UserID: 999999, Permission: "bugs.view_bug", ObjectType: "Bug", ObjectID: 1}, store.NotFound, "User matching query does not exist."},
		"ErrNoGroup":    {store.ObjectGrantSpec{GroupName: "ghosts", Permission: "bugs.view_bug", ObjectType: "Bug", ObjectID: 1}, store.NotFound, "Group matching query does not exist."},
		"ErrNoUserObj":  {store.ObjectGrantSpec{UserID: alice.ID, Permission: "auth.view_user", ObjectType: "User", ObjectID: 999999}, store.Invalid, "object_id: User 999999 does not exist."},
		"ErrEmptyLabel": {store.ObjectGrantSpec{UserID: alice.ID, ObjectType: "Bug", ObjectID: 1}, store.Invalid, `Unknown permission: ""`},
	} {
		t.Run(name, func(t *testing.T) {
			before := countGrants(t, conn)
			_, err := st.GrantObject(ctx, admin, c.spec)
			wantError(t, err, c.kind, c.msg)
			if countGrants(t, conn) != before {
				t.Fatal("a refused grant was written")
			}
		})
	}
}

func TestRevokeObject(t *testing.T) {
	t.Parallel()
	st, _, _ := MustOpen(t)
	ctx := t.Context()
	MustRefresh(t, st)
	admin := store.Principal{UserID: MustCreateUser(t, st, "admin").ID, IsSuperuser: true}
	alice := MustCreatePlainUser(t, st, "alice")
	spec := store.ObjectGrantSpec{UserID: alice.ID, Permission: "testruns.view_testrun", ObjectType: "TestRun", ObjectID: 5}
	if _, err := st.GrantObject(ctx, admin, spec); err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		other := spec
		other.ObjectID = 6
		for _, c := range []struct {
			spec store.ObjectGrantSpec
			want int64
		}{{other, 0}, {spec, 1}, {spec, 0}} {
			n, err := st.RevokeObject(ctx, c.spec)
			if err != nil || n != c.want {
				t.Fatalf("revoke %+v: got %d, %v; want %d", c.spec, n, err, c.want)
			}
		}
		if ok, err := st.CanView(ctx, store.Principal{UserID: alice.ID}, "testruns.view_testrun", "TestRun", 5); ok || err != nil {
			t.Fatalf("revoked grant still works: %v %v", ok, err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := st.RevokeObject(ctx, store.ObjectGrantSpec{Username: "ghost", Permission: "testruns.view_testrun", ObjectType: "TestRun", ObjectID: 5})
		wantError(t, err, store.NotFound, "User matching query does not exist.")
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := st.RevokeObject(ctx, store.ObjectGrantSpec{UserID: alice.ID, Permission: "testruns.view_testrun", ObjectType: "TestCase", ObjectID: 5})
		wantError(t, err, store.Invalid, "permission: testruns.view_testrun does not apply to a TestCase; use one of testcases.view_testcase, testcases.change_testcase, testcases.delete_testcase.")
	})
}

func TestObjectGrants(t *testing.T) {
	t.Parallel()
	st, conn, _ := MustOpen(t)
	ctx := t.Context()
	MustRefresh(t, st)
	admin := store.Principal{UserID: MustCreateUser(t, st, "admin").ID, IsSuperuser: true}
	alice := MustCreatePlainUser(t, st, "alice")
	MustTestCases(t, conn, 2)
	MustExec(t, conn, `WITH v AS (INSERT INTO versions (value, product_id) SELECT 'v', id FROM products RETURNING id, product_id),
		b AS (INSERT INTO builds (name, version_id) SELECT 'b', id FROM v RETURNING id, version_id)
	INSERT INTO bugs (summary, reporter_id, product_id, version_id, build_id)
	SELECT 'bug 1', (SELECT min(id) FROM users), v.product_id, v.id, b.id FROM v JOIN b ON b.version_id = v.id`)
	qa := mustGroup(t, conn, "qa")
	var ids []int64
	for _, spec := range []store.ObjectGrantSpec{
		{UserID: alice.ID, Permission: "testcases.view_testcase", ObjectType: "TestCase", ObjectID: 1},
		{UserID: alice.ID, Permission: "testcases.view_testcase", ObjectType: "TestCase", ObjectID: 2},
		{GroupID: qa, Permission: "testcases.view_testcase", ObjectType: "TestCase", ObjectID: 1},
		{GroupID: qa, Permission: "bugs.view_bug", ObjectType: "Bug", ObjectID: 1},
	} {
		g, err := st.GrantObject(ctx, admin, spec)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, g.ID)
	}
	t.Run("OK", func(t *testing.T) {
		for _, c := range []struct {
			query map[string]any
			want  []int64
		}{
			{nil, ids},
			{map[string]any{"user": alice.ID}, ids[:2]},
			{map[string]any{"user": strconv.FormatInt(alice.ID, 10)}, ids[:2]},
			{map[string]any{"user__username": "alice", "object_id": int64(2)}, ids[1:2]},
			{map[string]any{"group": float64(qa)}, ids[2:]},
			{map[string]any{"group__name": "qa", "permission": "bugs.view_bug"}, ids[3:]},
			{map[string]any{"object_type": "TestCase", "object_id": "1"}, []int64{ids[0], ids[2]}},
			{map[string]any{"id": ids[3]}, ids[3:]},
			{map[string]any{"object_type": "TestRun"}, nil},
		} {
			got, err := st.ObjectGrants(ctx, c.query)
			if err != nil {
				t.Fatalf("%v: %v", c.query, err)
			}
			var gotIDs []int64
			for _, g := range got {
				gotIDs = append(gotIDs, g.ID)
			}
			if !slices.Equal(gotIDs, c.want) {
				t.Fatalf("%v: got %v, want %v", c.query, gotIDs, c.want)
			}
		}
	})
	t.Run("ErrKey", func(t *testing.T) {
		_, err := st.ObjectGrants(ctx, map[string]any{"owner": 1})
		wantError(t, err, store.Invalid, "Cannot resolve keyword 'owner' into field. Choices are: group, group_id, id, object_id, object_type, permission, user, user_id.")
	})
	t.Run("ErrValue", func(t *testing.T) {
		_, err := st.ObjectGrants(ctx, map[string]any{"object_id": "x"})
		wantError(t, err, store.Invalid, "Field 'object_id' expected a number but got 'x'.")
		_, err = st.ObjectGrants(ctx, map[string]any{"permission": []any{"x"}})
		wantError(t, err, store.Invalid, "Field 'permission' expected a string but got ['x'].")
	})
}

func TestCanView(t *testing.T) {
	t.Parallel()
	st, conn, _ := MustOpen(t)
	ctx := t.Context()
	MustRefresh(t, st)
	admin := MustCreateUser(t, st, "admin")
	MustExec(t, conn, "UPDATE users SET is_superuser = true WHERE id = $1", admin.ID)
	MustTestCases(t, conn, 2)
	unbound := MustCreatePlainUser(t, st, "unbound")
	mustGrantUnbound(t, conn, unbound.ID, "testcases.view_testcase")
	direct := MustCreatePlainUser(t, st, "direct")
	member := MustCreatePlainUser(t, st, "member")
	inactive := MustCreatePlainUser(t, st, "inactive")
	nobody := MustCreatePlainUser(t, st, "nobody")
	qa := mustGroup(t, conn, "qa", member.ID)
	by := store.Principal{UserID: admin.ID, IsSuperuser: true}
	plan := MustPlans(t, conn, admin.ID, 1)[0]
	for _, spec := range []store.ObjectGrantSpec{
		{UserID: direct.ID, Permission: "testcases.view_testcase", ObjectType: "TestCase", ObjectID: 1},
		{GroupID: qa, Permission: "testcases.view_testcase", ObjectType: "TestCase", ObjectID: 2},
		{UserID: inactive.ID, Permission: "testcases.view_testcase", ObjectType: "TestCase", ObjectID: 1},
		{UserID: direct.ID, Permission: "testplans.view_testplan", ObjectType: "TestPlan", ObjectID: plan},
	} {
		if _, err := st.GrantObject(ctx, by, spec); err != nil {
			t.Fatal(err)
		}
	}
	if err := storetest.SetActive(ctx, st, inactive.ID, false); err != nil {
		t.Fatal(err)
	}
	const view = "testcases.view_testcase"
	for _, c := range []struct {
		name  string
		who   store.Principal
		label string
		id    int64
		want  bool
	}{
		{"Superuser", by, view, 99, true},
		{"Unbound", store.Principal{UserID: unbound.ID}, view, 99, true},
		{"UserGrant", store.Principal{UserID: direct.ID}, view, 1, true},
		{"UserGrantOtherObject", store.Principal{UserID: direct.ID}, view, 2, false},
		{"UserGrantOtherLabel", store.Principal{UserID: direct.ID}, "testcases.change_testcase", 1, false},
		{"UserGrantOtherType", store.Principal{UserID: direct.ID}, "testplans.view_testplan", 1, false},
		{"GroupGrant", store.Principal{UserID: member.ID}, view, 2, true},
		{"GroupGrantOtherObject", store.Principal{UserID: member.ID}, view, 1, false},
		{"Inactive", store.Principal{UserID: inactive.ID}, view, 1, false},
		{"Nothing", store.Principal{UserID: nobody.ID}, view, 1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := st.CanView(ctx, c.who, c.label, "TestCase", c.id)
			if err != nil || got != c.want {
				t.Fatalf("got %v, %v; want %v", got, err, c.want)
			}
		})
	}
}
