package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// objectModels maps each object type that can carry grants to the
// permission model of its labels: a grant on a TestCase holds one of
// testcases.view_testcase, change_testcase or delete_testcase. Every
// single-record getter's type belongs here (docs/permissions.md).
var objectModels = map[string]string{
	"Bug":      "bugs.bug",
	"TestCase": "testcases.testcase",
	"TestPlan": "testplans.testplan",
	"TestRun":  "testruns.testrun",
	"User":     "auth.user",
}

// objectActions are the actions a grant may hold on one record.
var objectActions = []string{"view", "change", "delete"}

// ObjectGrant is one object-level grant: a label on one record, held by a
// user or by a group.
type ObjectGrant struct {
	ID         int64   `json:"id" db:"id"`
	User       *int64  `json:"user" db:"user_id"`
	Username   *string `json:"user__username" db:"username"`
	Group      *int64  `json:"group" db:"group_id"`
	GroupName  *string `json:"group__name" db:"group_name"`
	Permission string  `json:"permission" db:"permission"`
	ObjectType string  `json:"object_type" db:"object_type"`
	ObjectID   int64   `json:"object_id" db:"object_id"`
}

// ObjectGrantSpec names one grant. Exactly one grantee field is set: a
// user by id or username, or a group by id or name.
type ObjectGrantSpec struct {
	UserID     int64
	Username   string
	GroupID    int64
	GroupName  string
	Permission string // a label of the object type's model
	ObjectType string // a key of objectModels
	ObjectID   int64
}

// check validates a spec without the database.
func (g ObjectGrantSpec) check() error {
	given := 0
	for _, set := range []bool{g.UserID != 0, g.Username != "", g.GroupID != 0, g.GroupName != ""} {
		if set {
			given++
		}
	}
	if given != 1 {
		return Errorf(Invalid, "Give exactly one of user and group.")
	}
	model, ok := objectModels[g.ObjectType]
	if !ok {
		return Errorf(Invalid, "object_type: Select a valid choice. %q is not one of %s.", g.ObjectType, strings.Join(objectTypes(), ", "))
	}
	if !KnownPermission(g.Permission) {
		return Errorf(Invalid, "Unknown permission: %q", g.Permission)
	}
	if fits := objectLabels(model); !slices.Contains(fits, g.Permission) {
		return Errorf(Invalid, "permission: %s does not apply to a %s; use one of %s.", g.Permission, g.ObjectType, strings.Join(fits, ", "))
	}
	if g.ObjectID < 1 {
		return Errorf(Invalid, "object_id: Ensure this value is greater than or equal to 1.")
	}
	return nil
}

// objectTypes lists the object types, sorted.
func objectTypes() []string {
	out := make([]string, 0, len(objectModels))
	for t := range objectModels {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// ObjectLabels lists the labels an object grant on a record of
// objectType may hold, or nil when that type takes no grants.
func ObjectLabels(objectType string) []string {
	if model, ok := objectModels[objectType]; ok {
		return objectLabels(model)
	}
	return nil
}

// objectLabels lists the labels a grant on a record of model may hold.
func objectLabels(model string) []string {
	app, name, _ := strings.Cut(model, ".")
	out := make([]string, len(objectActions))
	for i, a := range objectActions {
		out[i] = app + "." + a + "_" + name
	}
	return out
}

// resolve finds a spec's grantee and permission in the database; a
// missing user or group is NotFound.
func (g ObjectGrantSpec) resolve(ctx context.Context, q *db.Queries) (db.ObjectGrantResolveRow, error) {
	r, err := q.ObjectGrantResolve(ctx, db.ObjectGrantResolveParams{
		ObjectType: g.ObjectType, ObjectID: g.ObjectID, Label: g.Permission,
		UserID: nonZero(g.UserID), Username: nonZero(g.Username), GroupID: nonZero(g.GroupID), GroupName: nonZero(g.GroupName),
	})
	switch {
	case err != nil:
		return r, err
	case r.UserID == nil && r.GroupID == nil && (g.UserID != 0 || g.Username != ""):
		return r, Errorf(NotFound, "User matching query does not exist.")
	case r.UserID == nil && r.GroupID == nil:
		return r, Errorf(NotFound, "Group matching query does not exist.")
	case r.PermissionID == nil: // the catalogue knows it but refresh-permissions has not run
		return r, Errorf(Invalid, "Unknown permission: %q", g.Permission)
	}
	return r, nil
}

// GrantObject gives a user or group a label on one record and returns the
// grant; granting an existing grant returns it unchanged. A caller who is
// not a superuser may grant only labels it holds unbound (no escalation).
// A User, TestPlan, TestCase or Bug must exist (ObjectGrantResolve); for
// runs any positive id is accepted until they are checked there too.
func (s *Store) GrantObject(ctx context.Context, by Principal, g ObjectGrantSpec) (ObjectGrant, error) {
	if err := g.check(); err != nil {
		return ObjectGrant{}, err
	}
	if TenantOf(ctx) != "" && (g.GroupID != 0 || g.GroupName != "") {
		// Grants name the shared groups, whose members get no labels
		// inside a tenant: such a grant would silently grant nothing.
		return ObjectGrant{}, Errorf(Invalid, "Inside a tenant, grant objects to users: tenant groups cannot hold object grants.")
	}
	missing, err := s.MissingPermission(ctx, by, []string{g.Permission})
	if err != nil {
		return ObjectGrant{}, err
	}
	if missing != "" {
		return ObjectGrant{}, Errorf(Forbidden, "You cannot grant a permission you do not hold: %s", missing)
	}
	var out ObjectGrant
	var added int64
	err = s.change(ctx, "ObjectPermission", "ObjectPermission.grant", func(tx pgx.Tx, q *db.Queries, log *changeLog) error {
		r, err := g.resolve(ctx, q)
		if err != nil {
			return err
		}
		if !r.ObjectExists {
			return Errorf(Invalid, "object_id: %s %d does not exist.", g.ObjectType, g.ObjectID)
		}
		added, err = q.ObjectGrantAdd(ctx, db.ObjectGrantAddParams{UserID: r.UserID, GroupID: r.GroupID,
			PermissionID: *r.PermissionID, ObjectType: g.ObjectType, ObjectID: g.ObjectID})
		if err != nil {
			return err
		}
		match := map[string]any{"user": nil, "group": nil, "permission": g.Permission, "object_type": g.ObjectType, "object_id": g.ObjectID}
		if r.UserID != nil {
			match["user"] = *r.UserID
		}
		if r.GroupID != nil {
			match["group"] = *r.GroupID
		}
		rows, err := filtered(tx, objectGrantEntity, match).ObjectGrantFilter(ctx)
		if err != nil {
			return err
		}
		if len(rows) != 1 {
			return fmt.Errorf("object grant lookup found %d rows", len(rows))
		}
		out = objectGrantFromRow(rows[0])
		if added == 0 {
			return nil
		}
		g.log(log, out.ID)
		return q.AuthNotify(ctx, permsPayload)
	})
	if err != nil {
		return ObjectGrant{}, err
	}
	if added > 0 {
		s.cache.apply(permsPayload)
	}
	return out, nil
}

// log adds a grant to the audit log, its grantee as given.
func (g ObjectGrantSpec) log(log *changeLog, id int64) {
	d := map[string]any{"permission": g.Permission, "object_type": g.ObjectType, "object_id": g.ObjectID}
	for key, v := range map[string]any{"grant_id": id, "user": g.UserID, "user__username": g.Username, "group": g.GroupID, "group__name": g.GroupName} {
		if v != int64(0) && v != "" {
			d[key] = v
		}
	}
	log.add(fmt.Sprintf("%s %d", g.ObjectType, g.ObjectID), d)
}

func objectGrantFromRow(r db.ObjectGrantFilterRow) ObjectGrant {
	return ObjectGrant{ID: r.ID, User: r.UserID, Username: r.Username, Group: r.GroupID, GroupName: r.GroupName,
		Permission: r.Permission, ObjectType: r.ObjectType, ObjectID: r.ObjectID}
}

// RevokeObject removes one grant and returns how many went: 0 when there
// was no such grant, which is no error.
func (s *Store) RevokeObject(ctx context.Context, g ObjectGrantSpec) (int64, error) {
	if err := g.check(); err != nil {
		return 0, err
	}
	var removed int64
	err := s.change(ctx, "ObjectPermission", "ObjectPermission.revoke", func(_ pgx.Tx, q *db.Queries, log *changeLog) error {
		r, err := g.resolve(ctx, q)
		if err != nil {
			return err
		}
		removed, err = q.ObjectGrantDelete(ctx, db.ObjectGrantDeleteParams{UserID: r.UserID, GroupID: r.GroupID,
			PermissionID: *r.PermissionID, ObjectType: g.ObjectType, ObjectID: g.ObjectID})
		if err != nil || removed == 0 {
			return err
		}
		g.log(log, 0)
		return q.AuthNotify(ctx, permsPayload)
	})
	if err != nil {
		return 0, err
	}
	if removed > 0 {
		s.cache.apply(permsPayload)
	}
	return removed, nil
}

var objectGrantEntity = entity(&Entity{Model: "ObjectPermission", From: "FROM object_permissions op", Fields: map[string]Field{
	"id":          {Expr: "op.id", Kind: IntField},
	"permission":  {Expr: "p.app_label || '.' || p.codename", Kind: TextField, Join: "JOIN permissions p ON p.id = op.permission_id"},
	"object_type": {Expr: "op.object_type", Kind: TextField}, "object_id": {Expr: "op.object_id", Kind: IntField},
}, Relations: map[string]Relation{
	"user": {Expr: "op.user_id", To: "RelatedUser"}, "group": {Expr: "op.group_id", To: "Group"},
}})

// ObjectGrants lists the grants matching a query dict, by id.
func (s *Store) ObjectGrants(ctx context.Context, query map[string]any) ([]ObjectGrant, error) {
	return filterRows(ctx, s, objectGrantEntity, query, (*db.Queries).ObjectGrantFilter, objectGrantFromRow)
}

// CanView tells whether who may see one record through a single-record
// getter: an active superuser or a holder of the unbound label may, and
// otherwise an object grant of that label on that record, to the user or
// to one of its groups, is needed. Bulk and filter methods never call it.
func (s *Store) CanView(ctx context.Context, who Principal, label, objectType string, objectID int64) (bool, error) {
	if objectType == "User" && objectID == who.UserID {
		return true, nil // everyone may see their own account
	}
	missing, err := s.MissingPermission(ctx, who, []string{label})
	if err != nil || missing == "" {
		return err == nil, err
	}
	held, err := s.q.ObjectGrantHeld(ctx, db.ObjectGrantHeldParams{UserID: who.UserID, Label: label, ObjectType: objectType, ObjectID: objectID})
	if err != nil {
		return false, translate(err, "ObjectPermission")
	}
	return held, nil
}

// nonZero is nil for the zero value and a pointer to v otherwise, for
// optional query parameters.
func nonZero[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}
