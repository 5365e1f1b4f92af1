package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// Users named in user fields: by id, username or email. One statement
// finds them (resolveUserRef), or the statement that writes the record
// does, with the SQL function user_by_ref of schema.sql.

// UserRef names a user by id (an int or a digit string), username or
// email; nil or "" is no user.
type UserRef struct{ Ref any }

// resolveUserRef finds the user of a user field: nil for no user. Inside a
// tenant only its authorised users can be named; others are unknown.
func resolveUserRef(ctx context.Context, dbtx db.DBTX, r UserRef) (*int64, error) {
	if r.Ref == nil || r.Ref == "" {
		return nil, nil
	}
	ids, names, err := splitRefs([]any{r.Ref})
	if err != nil {
		return nil, err
	}
	id, err := db.New(dbtx).UserByRef(ctx, db.UserByRefParams{Ids: ids, Names: names})
	switch {
	case errors.Is(err, pgx.ErrNoRows) && len(ids) > 0:
		return nil, Errorf(Invalid, "Unknown user_id: \"%v\"", r.Ref)
	case errors.Is(err, pgx.ErrNoRows):
		return nil, Errorf(Invalid, "Unknown user: \"%v\"", r.Ref)
	}
	return &id, err
}

// userParam is a user column's value as the statements that find users as
// user_by_ref does take it: an id as it is, a UserRef as the ids and names
// to look for (none for no user).
func userParam(x any) (id *int64, ids []int64, names []string, err error) {
	switch v := x.(type) {
	case nil:
		return nil, nil, nil, nil
	case int64:
		return &v, nil, nil, nil
	case *int64:
		return v, nil, nil, nil
	case UserRef:
		if v.Ref == nil || v.Ref == "" {
			return nil, nil, nil, nil
		}
		ids, names, err = splitRefs([]any{v.Ref})
		return nil, ids, names, err
	}
	return nil, nil, nil, fmt.Errorf("store: a user field takes no %T", x)
}

// refParam is a user given by reference as the statements that find users
// as user_by_ref does take it: whether it is given, and the ids and names
// to look for (none for no user).
func refParam(r *UserRef) (set bool, ids []int64, names []string, err error) {
	if r == nil {
		return false, nil, nil, nil
	}
	_, ids, names, err = userParam(*r)
	return true, ids, names, err
}

// refusedUser words why a statement that finds the users given as
// user_by_ref does wrote nothing on their account: the first one given
// that is not found, or the required one (the first) given as no user;
// nil when every one is found.
func refusedUser(ctx context.Context, dbtx db.DBTX, required *UserRef, others ...*UserRef) error {
	for i, r := range append([]*UserRef{required}, others...) {
		if r == nil {
			continue
		}
		id, err := resolveUserRef(ctx, dbtx, *r)
		if err != nil {
			return err
		}
		if id == nil && i == 0 {
			return Errorf(Invalid, "A user name or user ID is required.")
		}
	}
	return nil
}

// userField is a user field of a form that takes ids only (Kiwi's
// ModelChoiceField): the field's name and the id given, nil for none.
type userField struct {
	name string
	id   *int64
}

// refuseOutsiders refuses the user ids that records of the current tenant
// may not name (docs/tenants.md: inside a tenant, its authorised users
// only) with the form's choice error on the first field naming one, as a
// user that does not exist gets from the foreign key. The caller may
// always name itself, so the usual call, which names no one else, costs
// no round trip.
func refuseOutsiders(ctx context.Context, q *db.Queries, by Principal, fields []userField) error {
	var ids []int64
	for _, f := range fields {
		if f.id != nil && *f.id != by.UserID && !slices.Contains(ids, *f.id) {
			ids = append(ids, *f.id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	bad, err := q.UserIDsUnnamable(ctx, ids)
	if err != nil {
		return translate(err, "User")
	}
	for _, f := range fields {
		if f.id != nil && slices.Contains(bad, *f.id) {
			return Errorf(Invalid, "[('%s', ['%s'])]", f.name, msgInvalidChoice)
		}
	}
	return nil
}
