package api

import "franja/lang"

// setMissing hears of texts the catalogue lacks (nil: stop).
func setMissing(f func(format string)) { lang.SetMissing(f) }
