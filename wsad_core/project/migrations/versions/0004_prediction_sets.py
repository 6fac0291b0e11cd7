"""Predictions as arrays per run and video, indexed by tables; action tubes as rows.

The row-per-(box, action) ``predictions`` table of 0002 never held data: at AVA's scale
(hundreds of thousands of boxes × 80 classes) rows are too many, so it is replaced.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: Union[str, Sequence[str], None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.drop_table("predictions")
    op.create_table(
        "prediction_sets",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("folder", sa.String(), nullable=False),
        sa.Column("checkpoint", sa.String(), nullable=False),
        sa.Column("labels", sa.Text(), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("tubelets", sa.Integer(), nullable=False),
        sa.Column("keyframe_boxes", sa.Integer(), nullable=False),
        sa.Column("tubes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id"),
    )
    op.create_table(
        "predicted_videos",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("video_id", sa.Integer(), nullable=False),
        sa.Column("file", sa.String(), nullable=False),
        sa.Column("tubelets", sa.Integer(), nullable=False),
        sa.Column("keyframe_boxes", sa.Integer(), nullable=False),
        sa.Column("tubes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["prediction_sets.run_id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["video_id"], ["videos.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id", "video_id"),
    )
    op.create_table(
        "predicted_tubes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("video_id", sa.Integer(), nullable=False),
        sa.Column("tube_index", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("label_index", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("first_frame", sa.Integer(), nullable=False),
        sa.Column("last_frame", sa.Integer(), nullable=False),
        sa.Column("uncertainty", sa.Float(), nullable=True),
        sa.CheckConstraint("last_frame >= first_frame", name="predicted_tube_span"),
        sa.ForeignKeyConstraint(["run_id"], ["prediction_sets.run_id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["video_id"], ["videos.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("predicted_tube_lookup", "predicted_tubes", ["run_id", "video_id", "first_frame"])


def downgrade() -> None:
    op.drop_index("predicted_tube_lookup", table_name="predicted_tubes")
    op.drop_table("predicted_tubes")
    op.drop_table("predicted_videos")
    op.drop_table("prediction_sets")
    op.create_table(
        "predictions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("video_id", sa.Integer(), nullable=False),
        sa.Column("frame", sa.Integer(), nullable=False),
        sa.Column("time", sa.Float(), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=True),
        sa.Column("x1", sa.Float(), nullable=False),
        sa.Column("y1", sa.Float(), nullable=False),
        sa.Column("x2", sa.Float(), nullable=False),
        sa.Column("y2", sa.Float(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("uncertainty", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["label_id"], ["labels.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["video_id"], ["videos.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("prediction_lookup", "predictions", ["run_id", "video_id", "frame"])
