package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// Group is a group of users, S-Group.
type Group struct {
	ID   int64  `json:"id" db:"id"`
	Name string `json:"name" db:"name"`
}

// GroupUser is a member of a group, S-GroupUser.
type GroupUser struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
}

// isDefaultGroup tells whether a group is one that cannot be renamed or deleted.
func isDefaultGroup(name string) bool { return name == AdministratorGroup || name == TesterGroup }

// CreateGroup adds a group; a taken name is a Conflict.
func (s *Store) CreateGroup(ctx context.Context, name string) (Group, error) {
	if name == "" {
		return Group{}, Errorf(Invalid, "name: This field is required.")
	}
	var g db.Group
	err := s.change(ctx, "Group", "Group.create", func(_ pgx.Tx, q *db.Queries, log *changeLog) (err error) {
		g, err = q.GroupCreate(ctx, name)
		log.add(name, map[string]any{"group_id": g.ID})
		return err
	})
	return Group(g), err
}

// RenameGroup renames a group other than the default ones.
func (s *Store) RenameGroup(ctx context.Context, id int64, name string) (Group, error) {
	if name == "" {
		return Group{}, Errorf(Invalid, "name: This field is required.")
	}
	var g db.Group
	err := s.change(ctx, "Group", "Group.update", func(_ pgx.Tx, q *db.Queries, log *changeLog) error {
		old, err := q.GroupGet(ctx, id)
		if err != nil {
			return err
		}
		if isDefaultGroup(old.Name) && name != old.Name {
			return Errorf(Forbidden, "The %s group cannot be renamed.", old.Name)
		}
		g, err = q.GroupRename(ctx, db.GroupRenameParams{ID: id, Name: name})
		log.add(name, map[string]any{"group_id": id, "old_name": old.Name})
		return err
	})
	return Group(g), err
}

// DeleteGroup removes a group other than the default ones, with its grants
// and memberships.
func (s *Store) DeleteGroup(ctx context.Context, id int64) error {
	return s.changeGrantsTx(ctx, "Group", "Group.remove", func(_ pgx.Tx, q *db.Queries, log *changeLog) error {
		g, err := q.GroupGet(ctx, id)
		if err != nil {
			return err
		}
		if isDefaultGroup(g.Name) {
			return Errorf(Forbidden, "The %s group cannot be deleted.", g.Name)
		}
		log.add(g.Name, map[string]any{"group_id": id})
		_, err = q.GroupDelete(ctx, id)
		return err
	})
}

// GroupPermissions lists a group's labels.
func (s *Store) GroupPermissions(ctx context.Context, id int64) ([]string, error) {
	out, err := s.q.GroupPermissionLabels(ctx, id)
	return nonNil(out), translate(err, "Group")
}

// GroupUsers lists a group's members by username.
func (s *Store) GroupUsers(ctx context.Context, id int64) ([]GroupUser, error) {
	rows, err := s.q.GroupUsers(ctx, id)
	if err == nil && len(rows) == 0 {
		err = pgx.ErrNoRows
	}
	out := []GroupUser{}
	for _, r := range rows {
		if r.ID != nil {
			out = append(out, GroupUser{ID: *r.ID, Username: *r.Username})
		}
	}
	return out, translate(err, "Group")
}

// SetGroupPermissions grants (grant true) or revokes labels of a group.
// Only a superuser changes the Administrator group; others may grant only
// labels they hold. Granting a held label or revoking a missing one is no
// error.
func (s *Store) SetGroupPermissions(ctx context.Context, by Principal, groupID int64, labels []string, grant bool) error {
	if grant {
		if err := s.mayGrant(ctx, by, labels); err != nil {
			return err
		}
	}
	return s.changeGrantsTx(ctx, "Group", grantAction("Group", grant), func(_ pgx.Tx, q *db.Queries, log *changeLog) error {
		g, err := q.GroupGet(ctx, groupID)
		if err != nil {
			return err
		}
		if g.Name == AdministratorGroup && !by.IsSuperuser {
			return Errorf(Forbidden, "Only a superuser can change the Administrator group.")
		}
		ids, err := permissionIDs(ctx, q, labels)
		if err != nil {
			return err
		}
		log.add(g.Name, map[string]any{"group_id": groupID, "permissions": labels})
		if grant {
			return q.GroupGrant(ctx, db.GroupGrantParams{GroupID: groupID, PermissionIds: ids})
		}
		return q.GroupRevoke(ctx, db.GroupRevokeParams{GroupID: groupID, PermissionIds: ids})
	})
}

// SetGroupMembers adds (add true) or removes users, given by id or
// username, to or from a shared group. Only a superuser changes the
// membership of Administrator or of superusers; others add users only to
// groups whose every label they hold.
func (s *Store) SetGroupMembers(ctx context.Context, by Principal, groupRef any, users []any, add bool) error {
	held, err := s.held(ctx, by)
	if err != nil {
		return err
	}
	action := "Group.remove_user"
	if add {
		action = "Group.add_user"
	}
	return s.changeGrantsTx(ctx, "Group", action, func(tx pgx.Tx, q *db.Queries, log *changeLog) error {
		g, err := resolveGroup(ctx, q, groupRef)
		if err != nil {
			return err
		}
		if g.Name == AdministratorGroup && !by.IsSuperuser {
			return Errorf(Forbidden, "Only a superuser can change the members of Administrator.")
		}
		ids, err := resolveUsers(ctx, q, users)
		if err != nil {
			return err
		}
		if err := s.guardUsers(ctx, tx, by, nil, ids, false); err != nil {
			return err
		}
		if err := logUsers(ctx, q, log, ids, map[string]any{"group": g.Name}); err != nil {
			return err
		}
		if !add {
			return q.GroupRemoveUsers(ctx, db.GroupRemoveUsersParams{GroupID: g.ID, UserIds: ids})
		}
		if err := mayJoin(ctx, q, held, []int64{g.ID}); err != nil {
			return err
		}
		return q.GroupAddUsers(ctx, db.GroupAddUsersParams{GroupID: g.ID, UserIds: ids})
	})
}

// SetUserPermissions grants (grant true) or revokes labels given to a user
// directly, with SetGroupPermissions' rules; only a superuser changes a
// superuser.
func (s *Store) SetUserPermissions(ctx context.Context, by Principal, userRef any, labels []string, grant bool) error {
	if grant {
		if err := s.mayGrant(ctx, by, labels); err != nil {
			return err
		}
	}
	return s.changeGrantsTx(ctx, "User", grantAction("User", grant), func(tx pgx.Tx, q *db.Queries, log *changeLog) error {
		ids, err := resolveUsers(ctx, q, []any{userRef})
		if err != nil {
			return err
		}
		if err := s.guardUsers(ctx, tx, by, nil, ids, false); err != nil {
			return err
		}
		if err := logUsers(ctx, q, log, ids, map[string]any{"permissions": labels}); err != nil {
			return err
		}
		pids, err := permissionIDs(ctx, q, labels)
		if err != nil {
			return err
		}
		if grant {
			return q.UserGrant(ctx, db.UserGrantParams{UserID: ids[0], PermissionIds: pids})
		}
		return q.UserRevoke(ctx, db.UserRevokeParams{UserID: ids[0], PermissionIds: pids})
	})
}

// changeGrantsTx is change (audited, one transaction) for changes to
// labels, groups, memberships or tenants: on commit every process drops
// its cached permission sets and tenants.
func (s *Store) changeGrantsTx(ctx context.Context, model, action string, fn func(tx pgx.Tx, q *db.Queries, log *changeLog) error) error {
	err := s.change(ctx, model, action, func(tx pgx.Tx, q *db.Queries, log *changeLog) error {
		if err := fn(tx, q, log); err != nil {
			return err
		}
		return q.AuthNotify(ctx, permsPayload)
	})
	if err == nil {
		s.cache.apply(permsPayload)
	}
	return err
}

// grantAction names the method that grants (or revokes) labels of a
// namespace's records: "User.add_permission", "Group.remove_permission".
func grantAction(namespace string, grant bool) string {
	if grant {
		return namespace + ".add_permission"
	}
	return namespace + ".remove_permission"
}

// logUsers adds the users (ids) to the audit log, by username.
func logUsers(ctx context.Context, q *db.Queries, log *changeLog, ids []int64, details map[string]any) error {
	rows, err := q.UserResolve(ctx, db.UserResolveParams{Ids: ids})
	for _, r := range rows {
		d := maps.Clone(details)
		d["user_id"] = r.ID
		log.add(r.Username, d)
	}
	return err
}

// splitRefs splits references to records into ids (ints and digit
// strings, as Kiwi's user fields) and names.
func splitRefs(refs []any) (ids []int64, names []string, err error) {
	for _, r := range refs {
		switch v := r.(type) {
		case int64:
			ids = append(ids, v)
		case int:
			ids = append(ids, int64(v))
		case string:
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				ids = append(ids, n)
			} else {
				names = append(names, v)
			}
		default:
			return nil, nil, Errorf(Invalid, "Expected an id or a name, got %v", r)
		}
	}
	return ids, names, nil
}

// resolveUsers turns user ids and usernames into ids, in the given order;
// an unknown one is Invalid with Kiwi's wording.
func resolveUsers(ctx context.Context, q *db.Queries, refs []any) ([]int64, error) {
	ids, names, err := splitRefs(refs)
	if err != nil {
		return nil, err
	}
	rows, err := q.UserResolve(ctx, db.UserResolveParams{Ids: ids, Names: names})
	if err != nil {
		return nil, err
	}
	out := make([]int64, 0, len(refs))
	for _, r := range refs {
		i := slices.IndexFunc(rows, func(u db.UserResolveRow) bool { return refMatches(r, u.ID, u.Username) })
		if i < 0 {
			return nil, unknownUser(r)
		}
		out = append(out, rows[i].ID)
	}
	return out, nil
}

// unknownUser is Kiwi's refusal of a reference to no user.
func unknownUser(ref any) error {
	if name, isName := ref.(string); isName {
		if _, err := strconv.ParseInt(name, 10, 64); err != nil {
			return Errorf(Invalid, "Unknown user: %q", ref)
		}
	}
	return Errorf(Invalid, "Unknown user_id: \"%v\"", ref)
}

// resolveGroup finds one group by id or name.
func resolveGroup(ctx context.Context, q *db.Queries, ref any) (db.Group, error) {
	ids, names, err := splitRefs([]any{ref})
	if err != nil {
		return db.Group{}, err
	}
	rows, err := q.GroupResolve(ctx, db.GroupResolveParams{Ids: ids, Names: names})
	if err != nil || len(rows) == 0 {
		return db.Group{}, orNotFound(err, "Group")
	}
	return rows[0], nil
}

// refMatches tells whether a reference names the record with this id and name.
func refMatches(ref any, id int64, name string) bool {
	return fmt.Sprint(ref) == strconv.FormatInt(id, 10) || ref == name
}

// GroupNames resolves groups given by id or name to their names; an
// unknown one is Invalid.
func (s *Store) GroupNames(ctx context.Context, refs []any) ([]string, error) {
	ids, names, err := splitRefs(refs)
	if err != nil {
		return nil, err
	}
	rows, err := s.q.GroupResolve(ctx, db.GroupResolveParams{Ids: ids, Names: names})
	if err != nil {
		return nil, translate(err, "Group")
	}
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		i := slices.IndexFunc(rows, func(g db.Group) bool { return refMatches(r, g.ID, g.Name) })
		if i < 0 {
			return nil, Errorf(Invalid, "groups: Group %q does not exist.", fmt.Sprint(r))
		}
		out = append(out, rows[i].Name)
	}
	return out, nil
}

var groupEntity = entity(&Entity{Model: "Group", From: "FROM groups g", Fields: map[string]Field{
	"id": {Expr: "g.id", Kind: IntField}, "name": {Expr: "g.name", Kind: TextField},
}, Relations: map[string]Relation{
	"user":        {Expr: "ug.user_id", Exists: "SELECT 1 FROM user_groups ug WHERE ug.group_id = g.id", To: "RelatedUser"},
	"permissions": {Expr: "gp.permission_id", Exists: "SELECT 1 FROM group_permissions gp WHERE gp.group_id = g.id", To: "Permission"},
}})

// FilterGroups answers a Kiwi query dict over groups, by id.
func (s *Store) FilterGroups(ctx context.Context, query map[string]any) ([]Group, error) {
	return filterRows(ctx, s, groupEntity, query, (*db.Queries).GroupFilter, func(r db.Group) Group { return Group(r) })
}
