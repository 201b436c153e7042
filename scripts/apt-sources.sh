# shellcheck shell=sh
# Sourced by install-deps.sh and box.sh: what the system's apt sources say.

# The mirror of the configured source for the suite "bookworm", as apt has
# it: a one-line "deb [options] URI bookworm ..." or a deb822 stanza whose
# Suites list bookworm (Debian 12's /etc/apt/sources.list.d/debian.sources).
bookworm_uri() {
	{
		cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			sed -n 's/^[[:space:]]*deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}\([^[:space:]]*\)[[:space:]]\{1,\}bookworm[[:space:]].*/\2/p'
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -r "$f" ] || continue
			awk 'function flush() { if (deb && suite && uri != "") print uri; deb = suite = 0; uri = "" }
			     /^[[:space:]]*$/ { flush(); next }
			     /^Types:/ { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
			     /^URIs:/ { uri = $2 }
			     /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") suite = 1 }
			     END { flush() }' "$f"
		done
	} | head -n 1
}
