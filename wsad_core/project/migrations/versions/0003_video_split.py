"""Videos belong to a data split (train, val, test), as AVA and UCF101-24 videos do.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("videos") as batch_op:
        batch_op.add_column(sa.Column("split", sa.String(), nullable=True))
        batch_op.create_check_constraint(
            "video_split", "split IS NULL OR split IN ('train', 'val', 'test')"
        )


def downgrade() -> None:
    with op.batch_alter_table("videos") as batch_op:
        batch_op.drop_constraint("video_split", type_="check")
        batch_op.drop_column("split")
