DROP TABLE on_call_turns;
