package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// UserByID returns one user; inside a tenant only one authorised there.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	row, err := s.q.UserGetVisible(ctx, id)
	if err != nil {
		return User{}, translate(err, "User")
	}
	return userFromRow(row), nil
}

// checkPassword refuses unless old is by's password. It is checked as a
// login is, so that it is throttled and counted the same way: a stolen
// session must not become a way to guess the password.
func (s *Store) checkPassword(ctx context.Context, by Principal, old *string) error {
	if old == nil {
		return Errorf(Invalid, "Old password is required")
	}
	_, err := s.Authenticate(ctx, by.Username, *old)
	if err == errWrongCredentials {
		err = Errorf(Invalid, "Password is incorrect")
	}
	return err
}

// JoinGroup adds the user to the group, both by exact name, as Kiwi's
// User.join_group: a shared group at the public address, a group of the
// tenant (whose user it must be) inside one. The caller must hold every
// label of the group in the same scope; only a superuser adds anyone to the
// shared Administrator group or changes a superuser.
func (s *Store) JoinGroup(ctx context.Context, by Principal, username, group string) error {
	held, err := s.held(ctx, by)
	if err != nil {
		return err
	}
	return s.changeGrantsTx(ctx, "User", "User.join_group", func(tx pgx.Tx, q *db.Queries, log *changeLog) error {
		u, err := q.UserGetByUsername(ctx, username)
		if errors.Is(err, pgx.ErrNoRows) {
			return orNotFound(nil, "User")
		}
		if err != nil {
			return err
		}
		if err := s.guardUsers(ctx, tx, by, nil, []int64{u.ID}, false); err != nil {
			return err
		}
		log.add(u.Username, map[string]any{"user_id": u.ID, "group": group})
		if TenantOf(ctx) != "" {
			return joinTenantGroup(ctx, q, held, u.ID, group)
		}
		rows, err := q.GroupResolve(ctx, db.GroupResolveParams{Names: []string{group}})
		if err != nil || len(rows) == 0 {
			return orNotFound(err, "Group")
		}
		if rows[0].Name == AdministratorGroup && !by.IsSuperuser {
			return Errorf(Forbidden, "Only a superuser can change the members of Administrator.")
		}
		if err := mayJoin(ctx, q, held, []int64{rows[0].ID}); err != nil {
			return err
		}
		return q.GroupAddUsers(ctx, db.GroupAddUsersParams{GroupID: rows[0].ID, UserIds: []int64{u.ID}})
	})
}

// joinTenantGroup is JoinGroup inside a tenant.
func joinTenantGroup(ctx context.Context, q *db.Queries, held []string, userID int64, group string) error {
	rows, err := q.TenantGroupResolve(ctx, db.TenantGroupResolveParams{Names: []string{group}})
	if err != nil || len(rows) == 0 {
		return orNotFound(err, "Group")
	}
	if err := tenantUsers(ctx, q, []int64{userID}); err != nil {
		return err
	}
	if err := mayJoinTenant(ctx, q, held, []int64{rows[0].ID}); err != nil {
		return err
	}
	_, err = q.TenantGroupAddUsers(ctx, db.TenantGroupAddUsersParams{GroupID: rows[0].ID, UserIds: []int64{userID}})
	return err
}

// userEntity is what User.filter and User.deactivate may filter on; the
// password and lockout state are not filterable.
var userEntity = entity(&Entity{Model: "User", From: "FROM users u", Fields: map[string]Field{
	"id": {Expr: "u.id", Kind: IntField}, "username": {Expr: "u.username", Kind: TextField},
	"email": {Expr: "u.email", Kind: TextField}, "first_name": {Expr: "u.first_name", Kind: TextField},
	"last_name": {Expr: "u.last_name", Kind: TextField}, "is_active": {Expr: "u.is_active", Kind: BoolField},
	"is_staff": {Expr: "u.is_staff", Kind: BoolField}, "is_superuser": {Expr: "u.is_superuser", Kind: BoolField},
	"date_joined": {Expr: "u.date_joined", Kind: TimeField}, "last_login": {Expr: "u.last_login", Kind: TimeField},
}, Relations: map[string]Relation{
	"groups": {Expr: "ug.group_id", Exists: "SELECT 1 FROM user_groups ug WHERE ug.user_id = u.id", To: "Group"},
}})

// relatedUserEntity is a user reached through a relation of another
// record (author, manager, assignee ...): names, email and is_active.
// Groups, flags and dates stay with User.filter, which needs
// auth.view_user.
var relatedUserEntity = entity(&Entity{Model: "RelatedUser", From: "FROM users ru", Fields: map[string]Field{
	"id": {Expr: "ru.id", Kind: IntField}, "username": {Expr: "ru.username", Kind: TextField},
	"email": {Expr: "ru.email", Kind: TextField}, "first_name": {Expr: "ru.first_name", Kind: TextField},
	"last_name": {Expr: "ru.last_name", Kind: TextField}, "is_active": {Expr: "ru.is_active", Kind: BoolField},
}})

// FilterUsers answers a Kiwi query dict over users, by id; inside a tenant
// over its authorised users only.
func (s *Store) FilterUsers(ctx context.Context, query map[string]any) ([]User, error) {
	return filterRows(ctx, s, userEntity, query, (*db.Queries).UserFilter, func(r db.UserFilterRow) User {
		return User{ID: r.ID, Username: r.Username, Email: r.Email, FirstName: r.FirstName, LastName: r.LastName,
			IsActive: r.IsActive, IsStaff: r.IsStaff, IsSuperuser: r.IsSuperuser}
	})
}

// DeactivateMatching deactivates every user the query matches, for by:
// not active, sessions ended; groups, grants and password stay, so that
// reactivation (UpdateUser) restores them. Only a superuser deactivates
// superusers. It returns the users after the change, by id.
func (s *Store) DeactivateMatching(ctx context.Context, by Principal, query map[string]any) ([]User, error) {
	var rows []db.User
	err := s.change(ctx, "User", "User.deactivate", func(tx pgx.Tx, q *db.Queries, log *changeLog) error {
		matched, err := filtered(tx, userEntity, query).UserFilter(ctx)
		if err != nil {
			return err
		}
		ids := make([]int64, len(matched))
		for i, u := range matched {
			ids[i] = u.ID
		}
		if err := s.guardUsers(ctx, tx, by, nil, ids, false); err != nil {
			return err
		}
		if rows, err = q.UserDeactivate(ctx, ids); err != nil {
			return err
		}
		for _, r := range rows {
			log.add(r.Username, map[string]any{"user_id": r.ID})
			if err := q.AuthNotify(ctx, userPayload(r.ID)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]User, len(rows))
	for i, r := range rows {
		s.cache.apply(userPayload(r.ID))
		out[i] = userFromRow(r)
	}
	sortUsers(out)
	return out, nil
}

// RemovedUser is the username of the inactive account, without password,
// groups or labels, that keeps the records of removed users
// (docs/permissions.md#removing-an-account). No one can create it, and it
// cannot be removed.
const RemovedUser = "(removed user)"

var errReservedUsername = Errorf(Invalid, "username: %q is reserved.", RemovedUser)

// RemoveUser deletes an account for good, for by: its sessions, tokens,
// memberships, grants and tenant authorisations go. The test plans and
// cases it authored, the runs it manages, the bugs it reported and the
// files it attached stay, handed to RemovedUser, in every tenant; the
// person fields that may be empty (default tester, reviewer, assignee,
// tested by, comment and history authors, a component's initial owner)
// are emptied. Refused: the last active superuser, a superuser unless by
// is one, a tenant's owner, and RemovedUser itself.
func (s *Store) RemoveUser(ctx context.Context, by Principal, user any) error {
	var id int64
	err := s.changeGrantsTx(ctx, "User", "User.remove", func(tx pgx.Tx, q *db.Queries, log *changeLog) error {
		ids, err := resolveUsers(ctx, q, []any{user})
		if err != nil {
			return err
		}
		id = ids[0]
		if err := s.guardUsers(ctx, tx, by, nil, ids, false); err != nil {
			return err
		}
		c, err := q.UserRemoveCheck(ctx, id)
		switch {
		case err != nil:
			return err
		case c.Username == RemovedUser:
			return Errorf(Invalid, "%s keeps the records of removed users; it cannot be removed.", RemovedUser)
		case c.ActiveSuperuser && c.OtherSuperusers == 0:
			return Errorf(Forbidden, "%s is the last active superuser; it cannot be removed.", c.Username)
		case c.Owns != "":
			return Errorf(Invalid, "%s owns tenant %s: give the tenant another owner with Tenant.update first.", c.Username, c.Owns)
		}
		placeholder, err := q.UserPlaceholder(ctx, RemovedUser)
		if err != nil {
			return err
		}
		handed, err := handOver(ctx, tx, q, id, placeholder)
		if err != nil {
			return err
		}
		log.add(c.Username, map[string]any{"user_id": id, "records_handed_over": handed})
		if err := q.UserDelete(ctx, id); err != nil {
			return err
		}
		return q.AuthNotify(ctx, userPayload(id))
	})
	if err == nil {
		s.cache.apply(userPayload(id))
	}
	return err
}

// handOver gives placeholder the records the user must leave behind, in
// the public tenant and every tenant, and returns how many there were.
// The transaction ends in public.
func handOver(ctx context.Context, tx pgx.Tx, q *db.Queries, id, placeholder int64) (int64, error) {
	schemas, err := q.TenantSchemas(ctx)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, schema := range append(schemas, "") {
		if err := inSchema(ctx, tx, schema, ""); err != nil {
			return 0, err
		}
		n, err := q.UserHandOver(ctx, db.UserHandOverParams{Placeholder: placeholder, UserID: id})
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}
