package io.jpilot.bench;
