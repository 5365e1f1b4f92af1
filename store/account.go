package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// UserByID returns one user.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	var row db.User
	err := s.withTx(ctx, func(q *db.Queries) (err error) {
		row, err = q.UserGet(ctx, id)
		return err
	})
	if err != nil {
		return User{}, translate(err, "User")
	}
	return userFromRow(row), nil
}

// Profile holds the fields User.update may set; nil keeps a value.
type Profile struct {
	FirstName, LastName, Email *string
}

// UpdateProfile sets a user's names and email.
func (s *Store) UpdateProfile(ctx context.Context, id int64, p Profile) (User, error) {
	var row db.User
	err := s.withTx(ctx, func(q *db.Queries) (err error) {
		row, err = q.UserUpdateProfile(ctx, db.UserUpdateProfileParams{ID: id, FirstName: p.FirstName, LastName: p.LastName, Email: p.Email})
		return err
	})
	if err != nil {
		return User{}, translate(err, "User")
	}
	return userFromRow(row), nil
}

// ChangePassword replaces a user's password after checking the old one.
func (s *Store) ChangePassword(ctx context.Context, id int64, old, password string) error {
	var hash string
	err := s.withTx(ctx, func(q *db.Queries) error {
		u, err := q.UserGet(ctx, id)
		hash = u.Password
		return err
	})
	if err != nil {
		return translate(err, "User")
	}
	if ok, _ := verifyPassword(hash, old); !ok {
		return Errorf(Invalid, "Password is incorrect")
	}
	return s.SetPassword(ctx, id, password)
}

// JoinGroup adds the user to the group, both by exact name, as Kiwi's
// User.join_group. Only a superuser adds anyone to Administrator.
func (s *Store) JoinGroup(ctx context.Context, by Principal, username, group string) error {
	return s.changeGrants(ctx, "User", func(q *db.Queries) error {
		u, err := q.UserGetByUsername(ctx, username)
		if errors.Is(err, pgx.ErrNoRows) {
			return orNotFound(nil, "User")
		}
		if err != nil {
			return err
		}
		rows, err := q.GroupResolve(ctx, db.GroupResolveParams{Names: []string{group}})
		if err != nil || len(rows) == 0 {
			return orNotFound(err, "Group")
		}
		if rows[0].Name == AdministratorGroup && !by.IsSuperuser {
			return Errorf(Forbidden, "Only a superuser can change the members of Administrator.")
		}
		return q.GroupAddUsers(ctx, db.GroupAddUsersParams{GroupID: rows[0].ID, UserIds: []int64{u.ID}})
	})
}

// userEntity is what User.filter and User.deactivate may filter on; the
// password and lockout state are not filterable.
var userEntity = entity(&Entity{Model: "User", Fields: map[string]Field{
	"id": {Expr: "u.id", Kind: IntField}, "username": {Expr: "u.username", Kind: TextField},
	"email": {Expr: "u.email", Kind: TextField}, "first_name": {Expr: "u.first_name", Kind: TextField},
	"last_name": {Expr: "u.last_name", Kind: TextField}, "is_active": {Expr: "u.is_active", Kind: BoolField},
	"is_staff": {Expr: "u.is_staff", Kind: BoolField}, "is_superuser": {Expr: "u.is_superuser", Kind: BoolField},
	"date_joined": {Expr: "u.date_joined", Kind: TimeField}, "last_login": {Expr: "u.last_login", Kind: TimeField},
	"groups":       {Expr: "ug.group_id", Kind: IntField, Exists: userGroupsExists},
	"groups__id":   {Expr: "ug.group_id", Kind: IntField, Exists: userGroupsExists},
	"groups__name": {Expr: "g.name", Kind: TextField, Exists: userGroupsExists},
}})

const userGroupsExists = "SELECT 1 FROM user_groups ug JOIN groups g ON g.id = ug.group_id WHERE ug.user_id = u.id"

// userSelect is the users a query dict may match: inside a tenant only
// its authorised users.
const userSelect = "SELECT u.id, u.username, u.email, u.first_name, u.last_name, u.is_active, u.is_staff, u.is_superuser FROM (SELECT * FROM users u WHERE " + tenantUser + ") u"

// FilterUsers answers a Kiwi query dict over users, by id; inside a tenant
// over its authorised users only.
func (s *Store) FilterUsers(ctx context.Context, query map[string]any) ([]User, error) {
	return filter[User](ctx, s, userEntity, userSelect, query, "ORDER BY u.id")
}

// DeactivateMatching does what Kiwi's User.deactivate does to each user
// the query matches: password unusable; not active, staff or superuser; no
// permissions, no groups; sessions ended. It returns the users after the
// change, by id.
func (s *Store) DeactivateMatching(ctx context.Context, query map[string]any) ([]User, error) {
	var rows []db.User
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		matched, err := Select[User](ctx, tx, userEntity, userSelect, query, "")
		if err != nil {
			return err
		}
		ids := make([]int64, len(matched))
		for i, u := range matched {
			ids[i] = u.ID
		}
		q := s.q.WithTx(tx)
		if rows, err = q.UserDeactivate(ctx, ids); err != nil {
			return err
		}
		for _, r := range rows {
			if err := q.AuthNotify(ctx, userPayload(r.ID)); err != nil {
				return err
			}
		}
		return q.AuthNotify(ctx, permsPayload)
	})
	if err != nil {
		return nil, translate(err, "User")
	}
	out := make([]User, len(rows))
	for i, r := range rows {
		s.cache.apply(userPayload(r.ID))
		out[i] = userFromRow(r)
	}
	s.cache.apply(permsPayload)
	sortUsers(out)
	return out, nil
}
