// Postgres store: see PostgresJobStore.swift
