package dev.bertj.benchmarks;
