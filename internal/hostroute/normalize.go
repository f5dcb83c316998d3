package hostroute

import "strings"

// Normalize turns a raw Host header value into the name used for routing:
// it strips the port (also from an IP literal such as "[::1]:443"), folds
// ASCII upper case to lower case and strips one trailing dot. It reports
// false for values that are not a valid Host (RFC 9110 §7.2, whose uri-host
// and port come from RFC 3986 §3.2.2–3.2.3): empty, characters outside
// reg-name such as spaces, control characters, "/" or "@", malformed
// percent-encoding, a malformed IP literal, or a port that is not a number
// up to 65535. An empty port ("example.com:") is valid per RFC 3986.
//
// IP literals keep their brackets ("[::1]"), so they can never equal a
// domain name. Normalize allocates only when it has to fold upper case.
func Normalize(host string) (string, bool) {
	name, upper, ok := split(host)
	if !ok {
		return "", false
	}
	if upper {
		name = strings.ToLower(name)
	}
	return name, true
}

// split validates a Host value and returns the host part without port and
// without one trailing dot, still in its original case, and whether it
// contains ASCII upper case.
func split(host string) (name string, upper, ok bool) {
	if host == "" {
		return "", false, false
	}
	var rest string
	if host[0] == '[' {
		end := strings.IndexByte(host, ']')
		if end < 0 || !validIPLiteral(host[1:end]) {
			return "", false, false
		}
		name, rest = host[:end+1], host[end+1:]
		for i := 1; i < end; i++ {
			if c := host[i]; 'A' <= c && c <= 'Z' {
				upper = true
			}
		}
		if rest != "" && !validPort(rest) {
			return "", false, false
		}
		return name, upper, true
	}
	name = host
	if i := strings.IndexByte(host, ':'); i >= 0 {
		name, rest = host[:i], host[i:]
		if !validPort(rest) {
			return "", false, false
		}
	}
	// One trailing dot is the fully qualified form of the same name
	// (RFC 1034 §3.1); strip it before looking up.
	if strings.HasSuffix(name, ".") {
		name = name[:len(name)-1]
	}
	if name == "" {
		return "", false, false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '.':
		case 'A' <= c && c <= 'Z':
			upper = true
		case c == '%':
			// pct-encoded = "%" HEXDIG HEXDIG (RFC 3986 §2.1).
			// The two digits are then checked as ordinary characters.
			if i+2 >= len(name) || !isHex(name[i+1]) || !isHex(name[i+2]) {
				return "", false, false
			}
		case isRegNameByte(c):
		default:
			return "", false, false
		}
	}
	return name, upper, true
}

// validPort checks ":" *DIGIT with a value that fits in 16 bits.
func validPort(s string) bool {
	if s == "" || s[0] != ':' {
		return false
	}
	n := 0
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
		if n > 65535 {
			return false
		}
	}
	return true
}

// validIPLiteral checks the inside of "[...]" loosely: IPv6 hex groups,
// colons and an embedded IPv4 tail, or an IPvFuture ("v1.x"). It exists to
// refuse junk, not to parse addresses; IP literals never route anyway.
func validIPLiteral(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == 'v' || s[0] == 'V' {
		// IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
		dot := strings.IndexByte(s, '.')
		if dot < 2 || dot == len(s)-1 {
			return false
		}
		for i := 1; i < dot; i++ {
			if !isHex(s[i]) {
				return false
			}
		}
		for i := dot + 1; i < len(s); i++ {
			if c := s[i]; c != ':' && !isRegNameByte(c) && !isAlnum(c) {
				return false
			}
		}
		return true
	}
	colon := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ':':
			colon = true
		case c == '.', isHex(c):
		default:
			return false
		}
	}
	return colon
}

// isRegNameByte reports the reg-name characters other than letters, digits
// and percent-encoding: the rest of unreserved and the sub-delims
// (RFC 3986 §2.2–2.3, §3.2.2).
func isRegNameByte(c byte) bool {
	switch c {
	case '-', '.', '_', '~', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=':
		return true
	}
	return false
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
