"""Personal data as users type it, and the fragments that must never reach a log or the database."""

from __future__ import annotations

from bot.storage.redaction import EMAIL, NIK, PHONE, USERNAME

TYPED_FORMS = [
    ("nik3316094501990001 bagaimana pindah tps", f"nik{NIK} bagaimana pindah tps"),  # NIK glued to the word
    ("NIK３３１６０９４５０１９９０００１", f"NIK{NIK}"),  # full-width digits, glued
    ("hp 0812 - 3456 - 7890", f"hp {PHONE}"),  # separators of three characters
    ("hp 0812 -- 3456 -- 7890 ya", f"hp {PHONE} ya"),
    ("wa o812 3456 789o", f"wa {PHONE}"),  # the letter O for zero
    ("WA: O812-3456-789O", f"WA: {PHONE}"),
    ("hp O8I2 3456 789O", f"hp {PHONE}"),  # and I or l for one
    ("08l2-3456-7890", PHONE),
    ("hp ０８１２３４５６７８９０ ya", f"hp {PHONE} ya"),  # full-width digits
    ("hp 0812\u200b3456\u200b7890", f"hp {PHONE}"),  # zero-width spaces between the groups
    ("budi at gmail com", EMAIL),
    ("email budi [at] gmail [dot] com ya", f"email {EMAIL} ya"),
    ("budi(at)gmail(dot)com", EMAIL),
    ("email budi @ gmail.com", f"email {EMAIL}"),
    ("budi.santoso＠gmail.com", EMAIL),  # a full-width at sign
    ("t.me/budi_santoso", USERNAME),
    ("chat aku di https://t.me/budi_santoso ya", f"chat aku di {USERNAME} ya"),
    ("ig instagram.com/budi_santoso", f"ig {USERNAME}"),
]


SECRETS = ("3316", "0945", "0812", "o812", "3456", "7890", "789o", "budi", "gmail", "santoso", "３３１６", "０８１２")
