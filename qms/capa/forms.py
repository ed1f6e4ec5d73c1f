"""The forms of the nonconformity/CAPA procedure, named once."""
NC, CAPA, ACTION = "CA-NC", "CA-CAPA", "CA-ACTION"
CHECK = "IT-CHECK"  # the identification check, whose findings raise nonconformities (panel)
# Steps of a CAPA record at which its actions may still be added (before the plan is approved).
PLANNING_STEPS = ("cause", "plan")
# Steps at which the responsible department still owes its reply (as the ca02-capa-reply rule watches).
REPLY_STEPS = ("accept", "correct", "cause", "plan")
