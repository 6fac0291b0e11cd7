"""Initial schema: vocabulary, videos, clips and their labels, ground truth.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('labels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('external_id', sa.Integer(), nullable=True),
    sa.Column('color', sa.String(), nullable=True),
    sa.Column('shortcut', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_id'),
    sa.UniqueConstraint('name'),
    sa.UniqueConstraint('shortcut')
    )
    op.create_table('videos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('path', sa.String(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('fingerprint', sa.String(), nullable=True),
    sa.Column('fps', sa.Float(), nullable=True),
    sa.Column('frame_count', sa.Integer(), nullable=True),
    sa.Column('duration', sa.Float(), nullable=True),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('codec', sa.String(), nullable=True),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('ok', 'error', 'missing')", name='video_status'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('path')
    )
    with op.batch_alter_table('videos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_videos_fingerprint'), ['fingerprint'], unique=False)
        batch_op.create_index(batch_op.f('ix_videos_name'), ['name'], unique=False)

    op.create_table('annotated_frames',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('video_id', sa.Integer(), nullable=False),
    sa.Column('time', sa.Float(), nullable=True),
    sa.Column('frame', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(), nullable=False),
    sa.CheckConstraint('time IS NOT NULL OR frame IS NOT NULL', name='annotated_frame_when'),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('video_id', 'frame', name='annotated_frame_index_unique'),
    sa.UniqueConstraint('video_id', 'time', name='annotated_frame_time_unique')
    )
    op.create_table('clips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('video_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Float(), nullable=False),
    sa.Column('end', sa.Float(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('labelled_by', sa.String(), nullable=True),
    sa.Column('labelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('video', 'subclip', 'interval')", name='clip_kind'),
    sa.CheckConstraint('start >= 0 AND end > start', name='clip_span_valid'),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('video_id', 'start', 'end', name='clip_span_unique')
    )
    op.create_table('clip_labels',
    sa.Column('clip_id', sa.Integer(), nullable=False),
    sa.Column('label_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['clip_id'], ['clips.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['label_id'], ['labels.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('clip_id', 'label_id')
    )
    op.create_table('gt_boxes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('annotated_frame_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('x1', sa.Float(), nullable=False),
    sa.Column('y1', sa.Float(), nullable=False),
    sa.Column('x2', sa.Float(), nullable=False),
    sa.Column('y2', sa.Float(), nullable=False),
    sa.Column('label_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('x1 >= 0 AND y1 >= 0 AND x2 <= 1 AND y2 <= 1 AND x1 <= x2 AND y1 <= y2', name='gt_box_normalised'),
    sa.ForeignKeyConstraint(['annotated_frame_id'], ['annotated_frames.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['label_id'], ['labels.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('gt_boxes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gt_boxes_annotated_frame_id'), ['annotated_frame_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    for table in ("gt_boxes", "clip_labels", "clips", "annotated_frames", "videos", "labels"):
        op.drop_table(table)
