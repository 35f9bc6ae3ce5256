"""Operations on the disk: the plan, its journaled execution, undo and crash recovery.

Every change to a file goes through ``execute`` (journal first, act, confirm); ``reverse``
undoes a journaled run, ``recover`` finishes or rolls back one a crash interrupted; ``fileops``
and ``trash`` are the primitives that never overwrite a different file."""
