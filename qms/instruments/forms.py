"""The forms of the monitoring and measuring devices procedure, and the departments it names, once."""
INTAKE, USAGE, CAL, BILLING = "INS-INTAKE", "INS-USAGE", "INS-CAL", "INS-BILLING"
REPAIR, SCRAP = "INS-REPAIR", "INS-SCRAP"
MAINT, HANDOVER, SENDOUT, SWITCH = "INS-MAINT", "INS-HANDOVER", "INS-SENDOUT", "INS-SWITCH"

# Instrument categories (INS-INTAKE's ``category`` choice) that decide who keeps and maintains it.
PUBLIC, DEDICATED, MONITORING = "public", "dedicated", "monitoring"

KEEPER = "TDD"  # 技术发展部 keeps the registers and organises calibration
MONITORING_KEEPER = "OMD"  # 运行维护部 runs the centralised monitoring system (INS-06)

# The date field that says when a record used the instrument (a failed calibration lists them).
USE_DATES = {USAGE: "checked_out_on", BILLING: "tested_on"}
