package signedurl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"unicode/utf8"
)

// maxEpoch is the largest epoch second accepted: 9223372036 s, the largest
// whole second an int64 count of nanoseconds can hold (2262-04-11T23:47:16Z).
// The CloudFront docs give exactly that instant as the latest Expires, and
// CloudFront answers a millisecond epoch with MalformedPolicy
// (aws/aws-sdk-js#2236), which this bound reproduces. Decision: anything
// larger, negative, signed, fractional or quoted is MalformedPolicy.
const maxEpoch = 9223372036

// parseEpoch parses an unsigned decimal count of seconds. Decision: leading
// zeros are accepted (the canned statement is rebuilt with the canonical
// number, as every SDK writes it).
func parseEpoch(s string) (int64, bool) {
	if s == "" || len(s) > 19 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > maxEpoch {
		return 0, false
	}
	return n, true
}

// policy is a parsed custom policy statement.
type policy struct {
	resource        *resourcePattern // nil: Resource omitted, any URL
	dateLessThan    int64
	dateGreaterThan int64
	hasNotBefore    bool
	sourceIP        netip.Prefix
	hasSourceIP     bool
}

var errPolicy = errors.New("malformed policy")

// parsePolicy parses a custom policy strictly, following "Create a signed
// URL using a custom policy": exactly one statement; Resource optional;
// Condition.DateLessThan required; DateGreaterThan and IpAddress optional;
// epoch values unquoted integers. Whitespace is allowed (the docs' own
// example policy contains CRLFs). Unknown or repeated keys are refused
// (Decision: a repeated key would make two readers see two policies).
func parsePolicy(b []byte) (*policy, error) {
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%w: not UTF-8", errPolicy)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	p := &policy{}
	seenLess := false
	statements := 0
	err := object(d, func(key string) error {
		if key != "Statement" {
			return fmt.Errorf("unknown key %q", key)
		}
		if err := delim(d, '['); err != nil {
			return err
		}
		for d.More() {
			if statements++; statements > 1 {
				return errors.New("more than one statement")
			}
			err := object(d, func(key string) error {
				switch key {
				case "Resource":
					s, err := str(d)
					if err != nil {
						return err
					}
					p.resource, err = parseResource(s)
					return err
				case "Condition":
					return object(d, func(key string) error {
						var err error
						switch key {
						case "DateLessThan":
							seenLess = true
							p.dateLessThan, err = epochObject(d)
						case "DateGreaterThan":
							p.hasNotBefore = true
							p.dateGreaterThan, err = epochObject(d)
						case "IpAddress":
							p.hasSourceIP = true
							p.sourceIP, err = sourceIPObject(d)
						default:
							err = fmt.Errorf("unknown condition %q", key)
						}
						return err
					})
				}
				return fmt.Errorf("unknown statement key %q", key)
			})
			if err != nil {
				return err
			}
		}
		return delim(d, ']')
	})
	if err == nil {
		if _, e := d.Token(); e != io.EOF {
			err = errors.New("data after the policy")
		}
	}
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: %v", errPolicy, err)
	case statements != 1:
		return nil, fmt.Errorf("%w: no statement", errPolicy)
	case !seenLess:
		return nil, fmt.Errorf("%w: DateLessThan is required", errPolicy)
	}
	return p, nil
}

func delim(d *json.Decoder, want json.Delim) error {
	t, err := d.Token()
	if err != nil {
		return err
	}
	if t != want {
		return fmt.Errorf("got %v, want %v", t, want)
	}
	return nil
}

// object reads one JSON object, calling field for each key; field must read
// the value. Repeated keys are errors.
func object(d *json.Decoder, field func(key string) error) error {
	if err := delim(d, '{'); err != nil {
		return err
	}
	var seen []string
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return err
		}
		key := t.(string) // json.Decoder only yields string keys inside an object
		for _, k := range seen {
			if k == key {
				return fmt.Errorf("repeated key %q", key)
			}
		}
		seen = append(seen, key)
		if err := field(key); err != nil {
			return err
		}
	}
	return delim(d, '}')
}

func str(d *json.Decoder) (string, error) {
	t, err := d.Token()
	if err != nil {
		return "", err
	}
	s, ok := t.(string)
	if !ok {
		return "", fmt.Errorf("got %v, want a string", t)
	}
	return s, nil
}

func epochObject(d *json.Decoder) (int64, error) {
	var n int64
	seen := false
	err := object(d, func(key string) error {
		if key != "AWS:EpochTime" {
			return fmt.Errorf("unknown key %q", key)
		}
		seen = true
		t, err := d.Token()
		if err != nil {
			return err
		}
		num, ok := t.(json.Number)
		if !ok {
			return fmt.Errorf("AWS:EpochTime is %v, want an unquoted number", t)
		}
		v, ok := parseEpoch(string(num))
		if !ok {
			return fmt.Errorf("AWS:EpochTime %s is not whole seconds between 0 and %d", num, maxEpoch)
		}
		n = v
		return nil
	})
	if err == nil && !seen {
		err = errors.New("AWS:EpochTime is required")
	}
	return n, err
}

func sourceIPObject(d *json.Decoder) (netip.Prefix, error) {
	var p netip.Prefix
	seen := false
	err := object(d, func(key string) error {
		if key != "AWS:SourceIp" {
			return fmt.Errorf("unknown key %q", key)
		}
		seen = true
		s, err := str(d)
		if err != nil {
			return err
		}
		p, err = parseSourceIP(s)
		return err
	})
	if err == nil && !seen {
		err = errors.New("AWS:SourceIp is required")
	}
	return p, err
}

// parseSourceIP accepts one IPv4 address or one IPv4 CIDR. IPv6 is not
// supported by CloudFront ("Values that you specify in the policy statement
// for a signed URL that uses a custom policy"). Decision: an IPv6 value is
// MalformedPolicy rather than a condition that can never match.
func parseSourceIP(s string) (netip.Prefix, error) {
	var p netip.Prefix
	if a, err := netip.ParseAddr(s); err == nil {
		p = netip.PrefixFrom(a, a.BitLen())
	} else if p, err = netip.ParsePrefix(s); err != nil {
		return p, fmt.Errorf("AWS:SourceIp %q is not an IPv4 address or CIDR", s)
	}
	if !p.Addr().Is4() {
		return p, fmt.Errorf("AWS:SourceIp %q is not IPv4", s)
	}
	return p.Masked(), nil
}
