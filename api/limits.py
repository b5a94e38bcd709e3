"""How large a request body may be: bounded per route, so that no request costs more than its purpose needs.

Sizes are in bytes as sent, JSON escapes included (a client that writes every Chinese character as \\uXXXX sends six
bytes for it). Beyond its route's bound a body is refused with 413 before it is read further.
"""

from __future__ import annotations

KIB = 1024

# Every command and search, and the web forms: the largest (a death with its facts, a refusal with its reason and
# conditions) is far below this even with every text at its longest and escaped.
BODY_MAX = 64 * KIB

# Anonymous and lookup bodies that carry a number and a code or one identity document.
SMALL_BODY_MAX = 4 * KIB

# A place name's step: up to 20 reasons of up to 1000 characters each, one per banned entry (about 125 KB escaped).
PLACE_NAME_STEP_BODY_MAX = 256 * KIB
