package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Kind is the closed set of error kinds the program uses. The RPC layer maps
// each kind to one fault code; anything that is not an *Error is Internal.
type Kind int

// The kinds. Invalid covers bad values and unknown references, Conflict
// duplicates, NotFound missing records. Unavailable says the database
// cannot serve the call now: it is unreachable, every connection is busy,
// or the query ran out of time; the same call may work later.
const (
	Internal Kind = iota
	Invalid
	Unauthenticated
	Forbidden
	NotFound
	Conflict
	Unavailable
)

// The Unavailable errors.
var (
	// ErrUnavailable: the database cannot be reached, or the connection to
	// it broke.
	ErrUnavailable = &Error{Kind: Unavailable, Message: "database unavailable"}
	// ErrBusy: no connection came free within the pool's wait, or the
	// database refuses more connections.
	ErrBusy = &Error{Kind: Unavailable, Message: "server busy: every database connection is in use; try again shortly"}
	// ErrQueryTimeout: a statement ran longer than the statement timeout
	// (see Options) and the database cancelled it.
	ErrQueryTimeout = &Error{Kind: Unavailable, Message: "the query took longer than the statement timeout and was cancelled"}
)

// Error is an error meant for the caller: Message is safe to show.
type Error struct {
	Kind    Kind
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error of the given kind.
func Errorf(kind Kind, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// ErrorKind returns the kind of err: the Kind of an *Error in its chain, or
// Internal.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// translate turns driver errors into kinds by SQLSTATE, never by message
// text. model names the entity for "does not exist" messages.
func translate(err error, model string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return Errorf(NotFound, "%s matching query does not exist.", model)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505":
			return conflict(pg, model)
		case "23503":
			return invalidChoice(pg)
		case "23514", "23502", "22001", "22P02", "22003":
			return Errorf(Invalid, "%s: invalid value.", model)
		case "22021", "22P05": // a NUL in text, or "\u0000" in a jsonb argument
			return Errorf(Invalid, "%s: Null characters are not allowed.", model)
		}
	}
	if e := unavailable(err); e != nil {
		return e
	}
	return err
}

// unavailable classifies the errors that say the database cannot serve
// the call now, and returns nil for any other.
func unavailable(err error) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case pg.Code == "57014": // query_canceled: by statement_timeout, or for a caller gone
			return ErrQueryTimeout
		case pg.Code == "53300": // too_many_connections
			return ErrBusy
		case strings.HasPrefix(pg.Code, "08"), strings.HasPrefix(pg.Code, "57P"): // connection exception, shutdown
			return ErrUnavailable
		}
	}
	var connect *pgconn.ConnectError
	var netErr net.Error
	if errors.As(err, &connect) || errors.As(err, &netErr) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return ErrUnavailable
	}
	return nil
}

// msgInvalidChoice is Django's word for an unknown or unfit reference.
const msgInvalidChoice = "Select a valid choice. That choice is not one of the available choices."

// invalidChoice words a foreign key violation of an insert or update as
// Kiwi's forms do, under the field whose value is unknown: the constraint
// <table>_<field>_id_fkey of the written table names it. (Deletes of
// referenced rows are refused before they reach the database.)
func invalidChoice(pg *pgconn.PgError) error {
	col, ok := strings.CutPrefix(pg.ConstraintName, pg.TableName+"_")
	field, fk := strings.CutSuffix(col, "_id_fkey")
	if pg.TableName == "" || !ok || !fk {
		return Errorf(Invalid, "%s", msgInvalidChoice)
	}
	return Errorf(Invalid, "[('%s', ['%s'])]", field, msgInvalidChoice)
}

// conflict words a unique violation: in Kiwi's form shape, under the field
// (or __all__ for a pair of fields), for the models of Kiwi's forms;
// plainly for our own.
func conflict(pg *pgconn.PgError, model string) error {
	u, ok := uniqueFields[pg.ConstraintName]
	if !ok {
		return Errorf(Conflict, "%s with this value already exists.", model)
	}
	msg := fmt.Sprintf("%s with this %s already exists.", model, u.words)
	if u.field == "" {
		return Errorf(Conflict, "%s", msg)
	}
	return Errorf(Conflict, "[('%s', ['%s'])]", u.field, msg)
}

// uniqueField is how a unique constraint is reported: the form field of a
// Kiwi model ("" for our own models) and the field words Django prints
// ("Build with this Version and Name already exists.").
type uniqueField struct{ field, words string }

// uniqueFields maps unique constraint names to their report.
var uniqueFields = map[string]uniqueField{
	"users_username_key":                 {"", "Username"},
	"groups_name_key":                    {"", "Name"},
	"permissions_app_label_codename_key": {"", "App label and Codename"},
	"api_tokens_user_id_name_key":        {"", "Name"},
	"environments_name_key":              {"name", "Name"},
	"bug_trackers_name_key":              {"name", "Name"},

	"plan_types_name_key":              {"name", "Name"},
	"test_execution_statuses_name_key": {"name", "Name"},
	"severities_name_key":              {"name", "Name"},

	// catalogue: management entities
	"classifications_name_key":       {"name", "Name"},
	"products_name_key":              {"name", "Name"},
	"versions_product_id_value_key":  {"__all__", "Product and Value"},
	"builds_version_id_name_key":     {"__all__", "Version and Name"},
	"categories_product_id_name_key": {"__all__", "Product and Name"},
	"components_product_id_name_key": {"__all__", "Product and Name"},
	"priorities_value_key":           {"value", "Value"},

	// tenants
	"tenants_schema_name_key": {"", "Schema name"},
	"tenant_domains_pkey":     {"", "Domain"},
	"tenant_groups_name_key":  {"", "Name"},
}

// orNotFound returns err, or Kiwi's "does not exist" error when it is nil.
func orNotFound(err error, model string) error {
	if err != nil {
		return err
	}
	return Errorf(NotFound, "%s matching query does not exist.", model)
}
