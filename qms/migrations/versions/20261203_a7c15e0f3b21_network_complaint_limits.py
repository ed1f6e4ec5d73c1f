"""network complaints (CS-15): the limits table seeded with the handbook's figures, each complaint's
copy of its limits, and the append-only chase log of remote faults

Revision ID: a7c15e0f3b21
Revises: 9b3e5d71c2a4
Create Date: 2026-12-03 13:00:00

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import qms.core.timeutil

revision = 'a7c15e0f3b21'
down_revision = '9b3e5d71c2a4'
branch_labels = None
depends_on = None

H = 60  # minutes in an hour
# S004 网络质量投诉 (SEEDS-DIGEST §3.2 G), kept here, not imported: a migration does not import the app.
# Every category: 营帐部门 dispatches, 监控室 confirms and replies within 20 minutes and pre-processes
# (2 hours; 1 hour 故障闭环管理流程 for coverage; none given for border roaming). Rooms: (duty, room,
# minutes, months). Remote: (duty, who, chase minutes) — 「时间不可控」, chased every 30 minutes.
ROOMS = {
    "roaming": [("sw_local_data", "SWT", 1 * H, None)],
    "border_roaming": [("nop_param", "NOP", 48 * H, None), ("nop_hardware", "NOP", 72 * H, None),
                       ("c1860_offset", "C1860", 30, None)],
    "interconnect": [("sw_local_fault", "SWT", 2 * H, None), ("net_coordination", "NET", 24 * H, None)],
    "coverage": [("sw_switch_fault", "SWT", 24 * H, None), ("rad_bs_fault", "RAD", 24 * H, None),
                 ("indoor_build", "ENG", None, 3), ("nop_cell_param", "NOP", 24 * H, None),
                 ("net_new_site_order", "NET", 48 * H, None), ("net_indoor_review", "NET", 48 * H, None),
                 ("eng_new_site", "ENG", None, 6)],
    "sms": [("sw_sms", "SWT", 2 * H, None)],
    "call_quality": [("sw_equipment", "SWT", 24 * H, None), ("rad_bs_fault", "RAD", 24 * H, None),
                     ("indoor_build", "ENG", None, 3), ("nop_cell_param", "NOP", 24 * H, None),
                     ("net_new_site_order", "NET", 48 * H, None), ("net_indoor_review", "NET", 48 * H, None),
                     ("eng_new_site", "ENG", None, 6)],
    "ip": [("sw_local_trunk", "SWT", 24 * H, None), ("net_coordination", "NET", 24 * H, None)],
    "data": [("sw_gprs", "SWT", 24 * H, None)],
    "caller_id": [("sw_local_fault", "SWT", 2 * H, None), ("net_coordination", "NET", 24 * H, None)],
}
REMOTE = {
    "roaming": ("remote_pmc",), "border_roaming": ("remote_pmc",), "interconnect": ("remote_peer", "remote_pmc"),
    "coverage": (), "sms": ("remote_pmc",), "call_quality": (), "ip": ("remote_peer", "remote_pmc"),
    "data": ("remote_pmc",), "caller_id": ("remote_peer", "remote_pmc"),
}
PREPROCESS = {"coverage": 1 * H, "border_roaming": None}
MOBILE_ONLY = {"ip", "data"}  # 17950/17951 and 172**/WAP/GPRS: a mobile network's (SEEDS-DIGEST §5 item 4)


def _rows():
    now = datetime.now(UTC)
    position = 0
    for category, rooms in ROOMS.items():
        mobile = category in MOBILE_ONLY
        lines = [("confirm", "confirm", "MON", 20, None),
                 ("preprocess", "preprocess", "MON", PREPROCESS.get(category, 2 * H), None)]
        lines += [(duty, "room", room, minutes, months) for duty, room, minutes, months in rooms]
        lines += [(duty, "remote", "PMC" if duty == "remote_pmc" else "MON", 30, None) for duty in REMOTE[category]]
        for duty, kind, room, minutes, months in lines:
            position += 1
            yield {"category": category, "duty": duty, "kind": kind, "room_code": room, "minutes": minutes,
                   "months": months, "mobile_only": mobile, "active": True, "position": position, "updated_at": now}


def upgrade():
    limits = op.create_table(
        'cs_network_limits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=30), nullable=False),
        sa.Column('duty', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('room_code', sa.String(length=40), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=True),
        sa.Column('months', sa.Integer(), nullable=True),
        sa.Column('mobile_only', sa.Boolean(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('updated_at', qms.core.timeutil.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cs_network_limits')),
        sa.UniqueConstraint('category', 'duty', name='uq_cs_network_limits_duty'),
    )
    op.create_table(
        'cs_network_cases',
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=30), nullable=False),
        sa.Column('limits', sa.JSON(), nullable=False),
        sa.Column('dispatched_at', qms.core.timeutil.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_cs_network_cases_record_id_records')),
        sa.PrimaryKeyConstraint('record_id', name=op.f('pk_cs_network_cases')),
    )
    op.create_table(
        'cs_network_chases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('chased_at', qms.core.timeutil.UTCDateTime(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_cs_network_chases_record_id_records')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_cs_network_chases_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cs_network_chases')),
    )
    op.create_index('ix_cs_network_chases_record', 'cs_network_chases', ['record_id', 'id'], unique=False)
    op.bulk_insert(limits, list(_rows()))


def downgrade():
    op.drop_index('ix_cs_network_chases_record', table_name='cs_network_chases')
    op.drop_table('cs_network_chases')
    op.drop_table('cs_network_cases')
    op.drop_table('cs_network_limits')
