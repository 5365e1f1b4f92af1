package store

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// permsPayload tells every process that grants changed: each drops all
// cached permission sets (grant changes are rare; a set is one query).
const permsPayload = "p"

// permsTTL bounds how long a cached permission set is trusted even without
// a notification.
const permsTTL = 10 * time.Minute

// RefreshPermissions makes the permissions table match the code's
// catalogue, adding missing labels and removing stale ones with their
// grants, and gives the Administrator (every label) and Tester groups, in
// public and in every tenant, the labels of their default sets they have
// not received before: labels new in this version. What an administrator
// granted or took stays as it is. It returns how many stale labels went.
func (s *Store) RefreshPermissions(ctx context.Context) (removed int64, err error) {
	labels := Catalogue()
	names := make([]string, len(catalogue))
	for i, p := range catalogue {
		names[i] = p.Name
	}
	err = s.inTx(WithTenant(ctx, ""), func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
		if err := q.PermissionSync(ctx, db.PermissionSyncParams{Labels: labels, Names: names}); err != nil {
			return err
		}
		if removed, err = q.PermissionDeleteStale(ctx, labels); err != nil {
			return err
		}
		for group, set := range defaultSets() {
			if err := q.GroupGiveDefaults(ctx, db.GroupGiveDefaultsParams{GroupName: group, Labels: set}); err != nil {
				return err
			}
		}
		schemas, err := q.TenantSchemas(ctx)
		if err != nil {
			return err
		}
		for _, schema := range schemas {
			if err := inSchema(ctx, tx, schema, ""); err != nil {
				return err
			}
			if err := giveTenantDefaults(ctx, q); err != nil {
				return err
			}
		}
		return q.AuthNotify(ctx, permsPayload)
	})
	if err != nil {
		return 0, translate(err, "Permission")
	}
	s.cache.apply(permsPayload)
	return removed, nil
}

// MissingPermission returns the first of labels the principal lacks, or ""
// when it holds them all. An active superuser holds every label. Inside a
// tenant (the context's) the labels come from the user's tenant groups,
// not the shared ones. The user's set is cached per (tenant, user) until a
// grant, group or user change is notified.
func (s *Store) MissingPermission(ctx context.Context, who Principal, labels []string) (string, error) {
	if who.IsSuperuser || len(labels) == 0 {
		return "", nil
	}
	p, err := s.permissions(ctx, who.UserID)
	if err != nil {
		return "", err
	}
	for _, l := range labels {
		if _, ok := p.set[l]; !ok {
			return l, nil
		}
	}
	return "", nil
}

type permSet map[string]struct{}

// permKey keys cached permission sets: a user's labels differ per tenant.
type permKey struct {
	tenant string
	user   int64
}

type cachedPerms struct {
	set        permSet
	authorized bool // may work in the tenant; always true in public
	expires    time.Time
}

// permissions returns a user's effective labels in the context's tenant,
// and whether it is authorised there, from the cache when it can.
func (s *Store) permissions(ctx context.Context, userID int64) (cachedPerms, error) {
	c := s.cache
	now := time.Now()
	key := permKey{TenantOf(ctx), userID}
	c.mu.Lock()
	e, ok := c.perms[key]
	gen := c.gen
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e, nil
	}
	e = cachedPerms{authorized: key.tenant == "", expires: now.Add(permsTTL)}
	var labels []string
	var err error
	if key.tenant == "" {
		labels, err = s.q.UserEffectivePermissions(ctx, userID)
	} else {
		var row db.TenantUserAccessRow
		row, err = s.q.TenantUserAccess(ctx, userID)
		labels, e.authorized = row.Labels, row.Authorized
	}
	if err != nil {
		return cachedPerms{}, translate(err, "Permission")
	}
	e.set = make(permSet, len(labels))
	for _, l := range labels {
		e.set[l] = struct{}{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live && gen == c.gen {
		if len(c.perms) >= maxCached {
			clear(c.perms)
		}
		c.perms[key] = e
	}
	return e, nil
}

// PermissionSource is one label a user holds and where it comes from:
// "superuser", "direct", "group:<name>" or, inside a tenant, "owner".
type PermissionSource struct {
	Permission string `json:"permission"`
	Source     string `json:"source"`
}

// UserPermissions lists the labels a user holds with their sources, by
// label; the user is given by id or username. A superuser holds every
// label as "superuser"; an inactive user holds none. Inside a tenant the
// user must be authorised there, and its labels are those of the tenant's
// groups.
func (s *Store) UserPermissions(ctx context.Context, userRef any) ([]PermissionSource, error) {
	out, err := s.userPermissions(ctx, userRef)
	if err != nil {
		return nil, translate(err, "User")
	}
	return nonNil(out), nil
}

func (s *Store) userPermissions(ctx context.Context, userRef any) (out []PermissionSource, err error) {
	ids, err := resolveUsers(ctx, s.q, []any{userRef})
	if err != nil {
		return nil, err
	}
	u, err := s.q.UserGetVisible(ctx, ids[0])
	if err != nil || !u.IsActive {
		return nil, err
	}
	if u.IsSuperuser {
		for _, l := range Catalogue() {
			out = append(out, PermissionSource{l, "superuser"})
		}
		return out, nil
	}
	if TenantOf(ctx) != "" {
		rows, err := s.q.TenantUserLabelSources(ctx, u.ID)
		for _, r := range rows {
			out = append(out, PermissionSource{r.Label, r.Source})
		}
		return out, err
	}
	rows, err := s.q.UserPermissionSources(ctx, u.ID)
	for _, r := range rows {
		src := r.Source
		if src != "direct" {
			src = "group:" + src
		}
		out = append(out, PermissionSource{r.Label, src})
	}
	return out, err
}

// permissionIDs resolves labels to ids; an unknown label is Invalid.
func permissionIDs(ctx context.Context, q *db.Queries, labels []string) ([]int64, error) {
	rows, err := q.PermissionIDs(ctx, labels)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(rows))
	known := map[string]bool{}
	for _, r := range rows {
		ids = append(ids, r.ID)
		known[r.Label] = true
	}
	for _, l := range labels {
		if !known[l] {
			return nil, Errorf(Invalid, "Unknown permission: %q", l)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// firstMissing returns the first of want not in got, or "".
func firstMissing(want, got []string) string {
	for _, w := range want {
		if !slices.Contains(got, w) {
			return w
		}
	}
	return ""
}

// sortUsers orders users by id.
func sortUsers(us []User) {
	slices.SortFunc(us, func(a, b User) int { return cmp.Compare(a.ID, b.ID) })
}

// PermissionRow is a permission as Permission.filter returns it.
type PermissionRow struct {
	ID       int64  `json:"id" db:"id"`
	Name     string `json:"name" db:"name"`
	AppLabel string `json:"content_type__app_label" db:"app_label"`
	Codename string `json:"codename" db:"codename"`
	Label    string `json:"label" db:"label"`
}

var permissionEntity = entity(&Entity{Model: "Permission", From: "FROM permissions p", Fields: map[string]Field{
	"id": {Expr: "p.id", Kind: IntField}, "name": {Expr: "p.name", Kind: TextField},
	"codename": {Expr: "p.codename", Kind: TextField}, "content_type__app_label": {Expr: "p.app_label", Kind: TextField},
	"label": {Expr: "p.app_label || '.' || p.codename", Kind: TextField},
}, Relations: map[string]Relation{
	"group": {Expr: "gp.group_id", Exists: "SELECT 1 FROM group_permissions gp WHERE gp.permission_id = p.id", To: "Group"},
	"user":  {Expr: "up.user_id", Exists: "SELECT 1 FROM user_permissions up WHERE up.permission_id = p.id", To: "RelatedUser"},
}})

// FilterPermissions answers a Kiwi query dict over the permission
// catalogue, by label.
func (s *Store) FilterPermissions(ctx context.Context, query map[string]any) ([]PermissionRow, error) {
	return filterRows(ctx, s, permissionEntity, query, (*db.Queries).PermissionFilter,
		func(r db.PermissionFilterRow) PermissionRow { return PermissionRow(r) })
}
