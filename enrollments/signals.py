"""What upper layers hear from a recording, inside its transaction.

``enrollments_recorded`` is sent once a form, API call or import has stored its enrollments and
before the transaction commits, with ``enrollments`` (the stored rows, in order), ``source`` and
``user``. A receiver that raises ``DomainError`` refuses the whole recording: nothing is stored.
``settlements`` numbers receipts this way without enrollments knowing of it.
"""

from django.dispatch import Signal

enrollments_recorded = Signal()
