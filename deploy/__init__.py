"""What an office runs to grow past one server (issue 15): nginx's template and the check that starts it all."""
